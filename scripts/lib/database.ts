// Brings a database to the current schema: Supabase roles where missing, migrations, and
// (local only) supabase/seed.sql. Used by `npm start`, `npm run db:migrate` and the tests.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import postgres from "postgres";
import { bootstrapSupabaseRoles } from "./bootstrap.ts";
import { projectRoot } from "./functions-server.ts";
import { migrate, type MigrateResult } from "./migrate.ts";
import { splitSql } from "./sql-split.ts";
import { UserError } from "./user-error.ts";

export const migrationsDir = join(projectRoot, "supabase", "migrations");

/** Connect, or explain in one line why not (the password is never printed). */
export async function connect(url: string): Promise<postgres.Sql> {
  const sql = postgres(url, { max: 2, connect_timeout: 5, onnotice: () => {}, prepare: false });
  try {
    await sql`select 1`;
    return sql;
  } catch (err) {
    await sql.end({ timeout: 1 }).catch(() => {});
    const e = err as { code?: string; message?: string };
    throw new UserError(
      `Cannot reach the database at ${safeUrl(url)} (${e.code ?? e.message ?? "error"}): check DATABASE_URL, or unset it to use the embedded PostgreSQL.`,
    );
  }
}

export function safeUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = "***";
    return u.toString();
  } catch {
    return "(an unparseable DATABASE_URL)";
  }
}

export async function prepareDatabase(
  sql: postgres.Sql,
  opts: { seed: boolean; onProgress?: (line: string) => void; dir?: string },
): Promise<MigrateResult> {
  await bootstrapSupabaseRoles(sql);
  const result = await migrate(sql, opts.dir ?? migrationsDir, opts.onProgress);
  if (opts.seed) await runSeed(sql);
  return result;
}

async function runSeed(sql: postgres.Sql): Promise<void> {
  const file = join(projectRoot, "supabase", "seed.sql");
  const source = await readFile(file, "utf8").catch(() => "");
  await sql.begin(async (tx) => {
    for (const st of splitSql(source)) {
      try {
        await tx.unsafe(st.text);
      } catch (err) {
        throw new UserError(`supabase/seed.sql:${st.line} failed: ${(err as Error).message}`);
      }
    }
  });
}
