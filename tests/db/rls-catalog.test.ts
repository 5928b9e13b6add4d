// Guards for every table later issues add: RLS on, policies only for `authenticated` with both
// clauses where the operation has them, views security_invoker, no grants to anon.
import { describe, expect, it } from "vitest";
import { rootSql } from "../support/stack.ts";

describe("catalog guards", () => {
  it("every table in public has row-level security enabled", async () => {
    const rows = await rootSql()<{ table: string }[]>`
      select c.relname as table from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = 'public' and c.relkind in ('r', 'p') and not c.relrowsecurity`;
    expect(rows.map((r) => r.table)).toEqual([]);
  });

  it("every view in public is security_invoker", async () => {
    const rows = await rootSql()<{ view: string }[]>`
      select c.relname as view from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = 'public' and c.relkind = 'v'
        and not coalesce('security_invoker=true' = any(c.reloptions) or 'security_invoker=on' = any(c.reloptions), false)`;
    expect(rows.map((r) => r.view)).toEqual([]);
  });

  it("every policy is for authenticated and carries using/with check as its command needs", async () => {
    const rows = await rootSql()<{ table: string; policy: string; roles: string[]; cmd: string; qual: string | null; check: string | null }[]>`
      select tablename as table, policyname as policy, roles::text[] as roles, cmd, qual, with_check as check
      from pg_policies where schemaname = 'public'`;
    const bad = rows.filter(
      (p) =>
        p.roles.join() !== "authenticated" ||
        (["SELECT", "UPDATE", "DELETE", "ALL"].includes(p.cmd) && !p.qual) ||
        (["INSERT", "UPDATE", "ALL"].includes(p.cmd) && !p.check),
    );
    expect(bad.map((p) => `${p.table}: ${p.policy}`)).toEqual([]);
  });

  it("anon is granted nothing on public tables", async () => {
    const rows = await rootSql()<{ table: string; privilege: string }[]>`
      select table_name as table, privilege_type as privilege from information_schema.role_table_grants
      where grantee = 'anon' and table_schema = 'public'`;
    expect(rows).toEqual([]);
  });

  it("functions in schema app pin search_path", async () => {
    const rows = await rootSql()<{ fn: string }[]>`
      select p.proname as fn from pg_proc p join pg_namespace n on n.oid = p.pronamespace
      where n.nspname in ('app', 'public')
        and not coalesce(exists (select 1 from unnest(p.proconfig) c where c like 'search_path=%'), false)`;
    expect(rows.map((r) => r.fn)).toEqual([]);
  });
});
