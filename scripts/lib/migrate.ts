// Applies supabase/migrations/*.sql in order, each file in one transaction, recorded in
// supabase_migrations.schema_migrations as the Supabase CLI records them. A checksum per
// applied file (our own table beside it) refuses to go on when an applied file was edited.
import { createHash } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import type postgres from "postgres";
import { splitSql } from "./sql-split.ts";
import { UserError } from "./user-error.ts";

export interface MigrationFile {
  version: string;
  name: string;
  file: string;
  source: string;
  sha256: string;
}

const fileName = /^(\d{14})_([a-z0-9_]+)\.sql$/;

export async function readMigrations(dir: string): Promise<MigrationFile[]> {
  const names = (await readdir(dir)).filter((f) => f.endsWith(".sql")).sort();
  return Promise.all(
    names.map(async (f) => {
      const m = fileName.exec(f);
      if (!m) throw new UserError(`Migration ${f} is misnamed: use <14-digit timestamp>_<snake_name>.sql.`);
      const source = await readFile(join(dir, f), "utf8");
      return { version: m[1]!, name: m[2]!, file: join(dir, f), source, sha256: sha256(source) };
    }),
  );
}

function sha256(s: string): string {
  return createHash("sha256").update(s).digest("hex");
}

const historyDdl = [
  "create schema if not exists supabase_migrations",
  "create table if not exists supabase_migrations.schema_migrations (version text not null primary key)",
  "alter table supabase_migrations.schema_migrations add column if not exists statements text[]",
  "alter table supabase_migrations.schema_migrations add column if not exists name text",
  `create table if not exists supabase_migrations.atrium_checksums (
     version text primary key references supabase_migrations.schema_migrations (version) on delete cascade,
     sha256 text not null)`,
];

export interface MigrateResult {
  applied: string[];
  skipped: number;
}

/** Apply pending migrations; progress goes to onProgress, one line per file. */
export async function migrate(
  sql: postgres.Sql,
  dir: string,
  onProgress: (line: string) => void = () => {},
): Promise<MigrateResult> {
  const files = await readMigrations(dir);
  await sql.begin(async (tx) => {
    await tx`select pg_advisory_xact_lock(hashtext('supabase_migrations'))`;
    for (const ddl of historyDdl) await tx.unsafe(ddl);
  });
  const applied: string[] = [];
  let skipped = 0;
  for (const m of files) {
    const done = await sql.begin(async (tx) => {
      await tx`select pg_advisory_xact_lock(hashtext('supabase_migrations'))`;
      const [row] = await tx<{ sha256: string | null }[]>`
        select c.sha256 from supabase_migrations.schema_migrations s
        left join supabase_migrations.atrium_checksums c using (version)
        where s.version = ${m.version}`;
      if (row) {
        if (row.sha256 && row.sha256 !== m.sha256) {
          throw new UserError(
            `Migration ${m.file} was edited after it was applied (checksum differs). ` +
              "Restore it and put the change in a new migration file.",
          );
        }
        return false;
      }
      const statements = splitSql(m.source);
      for (const [index, st] of statements.entries()) {
        try {
          await tx.unsafe(st.text);
        } catch (err) {
          throw failed(m, index, statements.length, st, err);
        }
      }
      await tx`insert into supabase_migrations.schema_migrations (version, name, statements)
               values (${m.version}, ${m.name}, ${statements.map((s) => s.text)})`;
      await tx`insert into supabase_migrations.atrium_checksums (version, sha256) values (${m.version}, ${m.sha256})`;
      return true;
    });
    if (done) {
      applied.push(`${m.version}_${m.name}`);
      onProgress(`applied ${m.version}_${m.name}.sql`);
    } else {
      skipped++;
    }
  }
  return { applied, skipped };
}

function failed(
  m: MigrationFile,
  index: number,
  total: number,
  st: { text: string; line: number },
  err: unknown,
): UserError {
  const e = err as { message?: string; position?: string };
  const offset = Number(e.position ?? 0);
  const line = st.line + (offset > 0 ? (st.text.slice(0, offset - 1).match(/\n/g)?.length ?? 0) : 0);
  const firstLine = st.text.split("\n").find((l) => l.trim() && !l.trim().startsWith("--")) ?? "";
  return new UserError(
    `Migration ${m.file}:${line} failed in statement ${index + 1} of ${total} ` +
      `(${firstLine.trim().slice(0, 80)}): ${e.message ?? String(err)}. Nothing from this file was applied.`,
  );
}
