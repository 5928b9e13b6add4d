// The migration runner against a real PostgreSQL: empty database, idempotent re-run,
// refusal of edited files, and a failing file that names itself and leaves nothing behind.
import { cp, mkdtemp, readdir, rm, writeFile, appendFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migrationsDir, prepareDatabase } from "../../scripts/lib/database.ts";
import { migrate } from "../../scripts/lib/migrate.ts";
import { databaseUrl, rootSql } from "../support/stack.ts";

const dbName = `migrations_${process.pid}_${Date.now()}`;
let sql: postgres.Sql;
let dir: string;

beforeAll(async () => {
  await rootSql().unsafe(`create database ${dbName}`);
  const url = new URL(databaseUrl);
  url.pathname = `/${dbName}`;
  sql = postgres(url.toString(), { max: 2, onnotice: () => {}, prepare: false });
  dir = await mkdtemp(join(tmpdir(), "atrium-migrations-"));
  await cp(migrationsDir, dir, { recursive: true });
});

afterAll(async () => {
  await sql.end();
  await rootSql().unsafe(`drop database if exists ${dbName} with (force)`);
  await rm(dir, { recursive: true, force: true });
});

describe("migrations", () => {
  it("apply on an empty database, recorded as the Supabase CLI records them", async () => {
    const files = (await readdir(migrationsDir)).filter((f) => f.endsWith(".sql")).sort();
    const result = await prepareDatabase(sql, { seed: false, dir });
    expect(result.applied).toEqual(files.map((f) => f.replace(/\.sql$/, "")));
    const rows = await sql<{ version: string; name: string; statements: string[] }[]>`
      select version, name, statements from supabase_migrations.schema_migrations order by version`;
    expect(rows.map((r) => `${r.version}_${r.name}`)).toEqual(result.applied);
    for (const r of rows) expect(r.statements.length).toBeGreaterThan(0);
  });

  it("apply nothing the second time", async () => {
    const result = await prepareDatabase(sql, { seed: false, dir });
    expect(result.applied).toEqual([]);
    expect(result.skipped).toBeGreaterThan(0);
  });

  it("refuse to run when an applied file was edited", async () => {
    const first = (await readdir(dir)).filter((f) => f.endsWith(".sql")).sort()[0]!;
    await appendFile(join(dir, first), "\n-- an innocent-looking edit\n");
    await expect(migrate(sql, dir)).rejects.toThrow(new RegExp(`${first}.*edited after it was applied`));
    await cp(join(migrationsDir, first), join(dir, first));
  });

  it("name the file, line and statement of a failure and apply none of that file", async () => {
    const bad = join(dir, "29991231000000_broken.sql");
    await writeFile(
      bad,
      "create table public.half_done (id int);\n\n-- the next statement is wrong\ninsert into public.nowhere values (1);\n",
    );
    await expect(migrate(sql, dir)).rejects.toThrow(
      /29991231000000_broken\.sql:4 failed in statement 2 of 2 \(insert into public\.nowhere values \(1\)\): relation "public\.nowhere" does not exist/,
    );
    const [table] = await sql`select to_regclass('public.half_done') as t`;
    expect(table?.t).toBeNull();
    const [row] = await sql`select 1 from supabase_migrations.schema_migrations where version = '29991231000000'`;
    expect(row).toBeUndefined();
    await rm(bad);
  });
});
