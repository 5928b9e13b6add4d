// Postgres going away and coming back, with a stack of this file's own: health turns 503
// "unavailable" while it is down and recovers by itself; the data survives the restart.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import postgres from "postgres";
import { startTestStack, type TestStack } from "../support/stack-process.ts";

let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack();
});

afterAll(async () => {
  await stack?.stop();
});

async function health(): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${stack.apiUrl}/health`);
  return { status: res.status, body: await res.json() };
}

async function eventually<T>(probe: () => Promise<T>, ok: (v: T) => boolean, tries = 60): Promise<T> {
  let last = await probe();
  for (let i = 0; i < tries && !ok(last); i++) {
    await new Promise((r) => setTimeout(r, 250));
    last = await probe();
  }
  return last;
}

describe("health while the database restarts", () => {
  it("answers 503 unavailable when Postgres is down and ok again when it returns, keeping data", async () => {
    const sql = postgres(stack.databaseUrl, { max: 1, onnotice: () => {} });
    await sql`create table public.restart_probe (v text)`;
    await sql`alter table public.restart_probe enable row level security`;
    await sql`insert into public.restart_probe values ('kept')`;
    await sql.end();
    expect((await health()).status).toBe(200);

    await stack.pg.stop();
    const down = await health();
    expect(down.status).toBe(503);
    expect(down.body).toEqual({ status: "degraded", version: expect.any(String), database: "unavailable" });

    const { startLocalPostgres } = await import("../../scripts/lib/local-postgres.ts");
    const port = Number(new URL(stack.databaseUrl).port);
    stack.pg = await startLocalPostgres({ dir: `${stack.dir}/pgdata`, port, fast: true });
    const up = await eventually(health, (h) => h.status === 200);
    expect(up.body).toEqual({ status: "ok", version: expect.any(String), database: "ok" });

    const again = postgres(stack.databaseUrl, { max: 1, onnotice: () => {} });
    expect(await again`select v from public.restart_probe`).toEqual([{ v: "kept" }]);
    await again.end();
  });
});
