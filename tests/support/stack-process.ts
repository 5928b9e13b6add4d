// Starts a complete throwaway stack for tests: embedded PostgreSQL in a temp folder on a free
// port, migrated and seeded, and the functions under Deno on another free port.
import { randomBytes } from "node:crypto";
import { createWriteStream } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect, prepareDatabase } from "../../scripts/lib/database.ts";
import { startFunctionsServer, type FunctionsServer } from "../../scripts/lib/functions-server.ts";
import { startLocalPostgres, type LocalPostgres } from "../../scripts/lib/local-postgres.ts";
import { freePort } from "../../scripts/lib/ports.ts";

export interface TestStack {
  dir: string;
  databaseUrl: string;
  apiUrl: string;
  logFile: string;
  env: Record<string, string>;
  pg: LocalPostgres;
  server: FunctionsServer;
  stop(): Promise<void>;
}

export function testSecrets(): Record<string, string> {
  return {
    JWT_SECRET: randomBytes(32).toString("base64url"),
    ENCRYPTION_KEYS: `1:${randomBytes(32).toString("base64")}`,
  };
}

export async function startTestDatabase(dir: string): Promise<{ pg: LocalPostgres; port: number }> {
  const port = await freePort();
  const pg = await startLocalPostgres({ dir: join(dir, "pgdata"), port, fast: true });
  const sql = await connect(pg.url);
  try {
    await prepareDatabase(sql, { seed: false });
  } finally {
    await sql.end();
  }
  return { pg, port };
}

export async function startTestStack(extraEnv: Record<string, string> = {}): Promise<TestStack> {
  const dir = await mkdtemp(join(tmpdir(), "atrium-test-"));
  const { pg } = await startTestDatabase(dir);
  const logFile = join(dir, "functions.log");
  const log = createWriteStream(logFile);
  const port = await freePort();
  const env = {
    ...testSecrets(),
    ATRIUM_PUBLIC_URL: `http://127.0.0.1:${port}`,
    DATABASE_URL: pg.url,
    ATRIUM_ENV: "test",
    LOG_LEVEL: "debug",
    ALLOW_SIGNUP: "true",
    REFRESH_REUSE_LEEWAY: "1",
    // Every test signs in from 127.0.0.1; the per-address limit is tested in tests/db/throttle.test.ts.
    LOGIN_IP_MAX_FAILURES: "10000",
    ...extraEnv,
  };
  let server: FunctionsServer;
  try {
    server = await startFunctionsServer({ port, env, onLine: (line) => log.write(`${line}\n`) });
  } catch (err) {
    await pg.stop();
    throw err;
  }
  return {
    dir,
    databaseUrl: pg.url,
    apiUrl: `${server.url}/functions/v1`,
    logFile,
    env,
    pg,
    server,
    async stop() {
      await server.stop();
      await pg.stop();
      await new Promise<void>((resolve) => log.end(resolve));
      await rm(dir, { recursive: true, force: true });
    },
  };
}
