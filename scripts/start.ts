// `npm start`: the whole local stack in one process tree — embedded PostgreSQL (or
// DATABASE_URL), migrations and the local seed, the functions under Deno and the web bundle.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { connect, prepareDatabase, safeUrl } from "./lib/database.ts";
import { projectRoot, startFunctionsServer } from "./lib/functions-server.ts";
import { localSecrets, port, stateDir } from "./lib/local-env.ts";
import { startLocalPostgres } from "./lib/local-postgres.ts";
import { assertPortFree } from "./lib/ports.ts";
import { exitWith } from "./lib/user-error.ts";

const cleanups: Array<() => Promise<void>> = [];
let stopping = false;

async function stopAll(code: number): Promise<never> {
  if (!stopping) {
    stopping = true;
    for (const fn of cleanups.reverse()) await fn().catch(() => {});
  }
  process.exit(code);
}

const step = (msg: string) => console.log(`\u25b8 ${msg}`);

async function main(): Promise<void> {
  if (existsSync(join(projectRoot, ".env"))) process.loadEnvFile(join(projectRoot, ".env"));
  const apiPort = port("ATRIUM_PORT", 54321);
  await assertPortFree(apiPort, "functions and web app", "ATRIUM_PORT");

  let databaseUrl = process.env.DATABASE_URL;
  // The local tenant and its weak password go only into the embedded database, or into
  // DATABASE_URL when ATRIUM_ENV=local says so explicitly.
  const local = !databaseUrl || process.env.ATRIUM_ENV === "local";
  if (databaseUrl) {
    step(`using DATABASE_URL ${safeUrl(databaseUrl)}`);
  } else {
    const dbPort = port("ATRIUM_DB_PORT", 54322);
    await assertPortFree(dbPort, "PostgreSQL", "ATRIUM_DB_PORT");
    step(`starting PostgreSQL on 127.0.0.1:${dbPort} (data in .atrium/pgdata)`);
    const pg = await startLocalPostgres({ dir: join(stateDir, "pgdata"), port: dbPort, onLog: () => {} });
    cleanups.push(async () => {
      step("stopping PostgreSQL");
      await pg.stop();
    });
    databaseUrl = pg.url;
  }

  const sql = await connect(databaseUrl);
  try {
    step("applying migrations");
    const { applied, skipped } = await prepareDatabase(sql, { seed: local, onProgress: (l) => step(`  ${l}`) });
    step(`database ready (${applied.length} applied, ${skipped} already applied)`);
  } finally {
    await sql.end();
  }

  if (!existsSync(join(projectRoot, "web", "dist", "index.html"))) {
    step("building the web app (first start only; `npm run build` rebuilds it)");
    const build = spawnSync("npm", ["run", "--silent", "build"], { cwd: projectRoot, stdio: "inherit" });
    if (build.status !== 0) throw new Error("the web build failed; see the output above");
  }

  step(`starting the functions under Deno on 127.0.0.1:${apiPort}`);
  const env = { ...(await localSecrets()), ...process.env, DATABASE_URL: databaseUrl } as Record<string, string>;
  env.ATRIUM_ENV ??= local ? "local" : "production";
  env.ATRIUM_PUBLIC_URL ??= `http://127.0.0.1:${apiPort}`;
  const server = await startFunctionsServer({
    port: apiPort,
    env,
    onLine: (line) => console.log(pretty(line)),
  });
  void server.exited.then((code) => {
    if (stopping) return;
    console.error(`\u2716 The functions server stopped unexpectedly (exit code ${code}); shutting down.`);
    void stopAll(1);
  });
  cleanups.push(async () => {
    step("stopping the functions server");
    await server.stop();
  });

  console.log(`
  Atrium is running at ${server.url}/
  Functions:  ${server.url}/functions/v1/<fn>   (health: ${server.url}/functions/v1/health)`);
  if (local) {
    console.log(`  Local login: tenant "localhost", admin@localhost / admin123
  \u26a0  Local development only: that account is seeded because this is the embedded database (or ATRIUM_ENV=local).`);
  }
  console.log("  Press Ctrl-C to stop.\n");
}

/** Request log lines as one short line; anything else as it came. */
function pretty(line: string): string {
  try {
    const e = JSON.parse(line) as Record<string, unknown>;
    if (e.event === "request") return `  ${e.method} ${e.path} ${e.status} ${e.ms}ms`;
    if (e.event === "listening") return `  functions: ${(e.functions as string[]).join(", ")}`;
  } catch {
    // not JSON
  }
  return line;
}

for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => void stopAll(0));

main().catch(async (err) => {
  for (const fn of cleanups.reverse()) await fn().catch(() => {});
  cleanups.length = 0;
  exitWith(err);
});
