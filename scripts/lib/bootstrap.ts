// Creates what hosted Supabase already has, for a plain Postgres: the API roles. Never part
// of migrations, because on Supabase these objects belong to the platform.
import type postgres from "postgres";

export async function bootstrapSupabaseRoles(sql: postgres.Sql): Promise<void> {
  await sql.begin(async (tx) => {
    await tx`select pg_advisory_xact_lock(hashtext('atrium_bootstrap'))`;
    await tx.unsafe(`
      do $$
      begin
        if not exists (select from pg_roles where rolname = 'anon') then
          create role anon nologin noinherit;
        end if;
        if not exists (select from pg_roles where rolname = 'authenticated') then
          create role authenticated nologin noinherit;
        end if;
        if not exists (select from pg_roles where rolname = 'service_role') then
          create role service_role nologin noinherit bypassrls;
        end if;
      end
      $$`);
    await tx.unsafe("grant anon, authenticated, service_role to current_user");
    await tx.unsafe("grant usage on schema public to anon, authenticated, service_role");
  });
}
