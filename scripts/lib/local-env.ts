// Settings of the local stack: ports, folders, and secrets generated once into .atrium/ so a
// restart keeps sessions and encrypted keys valid.
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { projectRoot } from "./functions-server.ts";

export const stateDir = join(projectRoot, ".atrium");

export function port(envVar: string, fallback: number): number {
  const raw = process.env[envVar];
  const n = raw ? Number(raw) : fallback;
  if (!Number.isInteger(n) || n < 1 || n > 65535) {
    throw new Error(`${envVar} must be a port number between 1 and 65535 (got "${raw}")`);
  }
  return n;
}

/** Secrets for local development, created on first start and reused afterwards. */
export async function localSecrets(): Promise<Record<string, string>> {
  const file = join(stateDir, "secrets.json");
  if (existsSync(file)) return JSON.parse(await readFile(file, "utf8")) as Record<string, string>;
  const secrets = {
    JWT_SECRET: randomBytes(32).toString("base64url"),
    ENCRYPTION_KEYS: `1:${randomBytes(32).toString("base64")}`,
  };
  await mkdir(stateDir, { recursive: true });
  await writeFile(file, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  return secrets;
}
