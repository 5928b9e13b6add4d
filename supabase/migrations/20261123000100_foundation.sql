-- Foundation: privileges and the request-context helpers every RLS policy reads.
-- Request code runs as `authenticated` with `request.jwt.claims` set per transaction (the
-- PostgREST way); these helpers read those claims. Nothing here creates Supabase-owned objects.

-- Section: privileges
-- Functions are not executable by everyone by default; each helper grants what it needs.
alter default privileges revoke execute on functions from public;
alter default privileges in schema public revoke execute on functions from public;

-- Section: request context
create schema if not exists app;
comment on schema app is 'Private helpers for RLS and trusted SQL functions; not exposed over an API.';
grant usage on schema app to authenticated;

-- The verified claims of the current request, or {} outside a request.
create or replace function app.claims()
returns jsonb
language sql
stable
set search_path = ''
as $$
  select coalesce(nullif(current_setting('request.jwt.claims', true), ''), '{}')::jsonb
$$;
grant execute on function app.claims() to authenticated;

-- The tenant of the current request.
create or replace function app.tenant_id()
returns uuid
language sql
stable
set search_path = ''
as $$
  select nullif(app.claims() ->> 'tenant_id', '')::uuid
$$;
grant execute on function app.tenant_id() to authenticated;

-- The user of the current request (claim `sub`).
create or replace function app.user_id()
returns uuid
language sql
stable
set search_path = ''
as $$
  select nullif(app.claims() ->> 'sub', '')::uuid
$$;
grant execute on function app.user_id() to authenticated;

-- The caller's tenant role: owner, admin, member or readonly.
create or replace function app.role()
returns text
language sql
stable
set search_path = ''
as $$
  select app.claims() ->> 'app_role'
$$;
grant execute on function app.role() to authenticated;

-- True when the caller's role is at least `required` (owner > admin > member > readonly).
create or replace function app.has_role(required text)
returns boolean
language sql
stable
set search_path = ''
as $$
  select coalesce(
    array_position(array['readonly', 'member', 'admin', 'owner'], app.role())
      >= array_position(array['readonly', 'member', 'admin', 'owner'], required),
    false)
$$;
grant execute on function app.has_role(text) to authenticated;

-- True for platform superadmins (tenant management only).
create or replace function app.is_superadmin()
returns boolean
language sql
stable
set search_path = ''
as $$
  select coalesce((app.claims() ->> 'superadmin')::boolean, false)
$$;
grant execute on function app.is_superadmin() to authenticated;
