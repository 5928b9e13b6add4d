// `npm run rotate-keys`: re-encrypt every sealed secret under the newest ENCRYPTION_KEYS
// version. Put the new key first (`2:new,1:old`), deploy it, run this, then drop the old key.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { configure } from "../functions/_shared/config.ts";
import { connect, safeUrl } from "./lib/database.ts";
import { projectRoot } from "./lib/functions-server.ts";
import { localSecrets, port } from "./lib/local-env.ts";
import { rotateKeys } from "./lib/rotate-keys.ts";
import { exitWith } from "./lib/user-error.ts";

async function main(): Promise<void> {
  if (existsSync(join(projectRoot, ".env"))) process.loadEnvFile(join(projectRoot, ".env"));
  const local = process.env.DATABASE_URL ? {} : await localSecrets();
  const databaseUrl = process.env.DATABASE_URL ?? `postgres://postgres:postgres@127.0.0.1:${port("ATRIUM_DB_PORT", 54322)}/postgres`;
  configure({
    ...local,
    ...process.env,
    DATABASE_URL: databaseUrl,
    // Rotation signs nothing; the token secret is only required by the shared configuration.
    JWT_SECRET: process.env.JWT_SECRET ?? local.JWT_SECRET ?? "unused-by-rotate-keys-unused-by-rotate-keys",
  });
  console.log(`\u25b8 re-encrypting secrets in ${safeUrl(databaseUrl)}`);
  const sql = await connect(databaseUrl);
  try {
    await rotateKeys(sql, (line) => console.log(`\u25b8   ${line}`));
  } finally {
    await sql.end();
  }
}

main().catch(exitWith);
