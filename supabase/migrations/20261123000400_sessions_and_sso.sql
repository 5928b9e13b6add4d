-- Sessions and refresh tokens (rotation with reuse detection), login throttling, and
-- per-tenant OpenID Connect single sign-on.

-- Section: sessions

-- A signed-in device. Every access token carries its id (sid); a revoked session's access
-- tokens stop working at the next request because app.require_session() checks it.
create table public.sessions (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references public.tenants (id) on delete cascade,
  user_id uuid not null references public.users (id) on delete cascade,
  method text not null default 'password' check (method in ('password', 'sso')),
  ip inet,
  user_agent text check (char_length(user_agent) <= 512),
  created_at timestamptz not null default now(),
  last_refreshed_at timestamptz,
  expires_at timestamptz not null,
  revoked_at timestamptz,
  revoked_reason text check (char_length(revoked_reason) <= 64)
);
create index sessions_user_idx on public.sessions (user_id) where revoked_at is null;
alter table public.sessions enable row level security;
revoke all on table public.sessions from anon, authenticated;
grant select (id, tenant_id, user_id, method, ip, user_agent, created_at, last_refreshed_at, expires_at, revoked_at)
  on table public.sessions to authenticated;
grant update (revoked_at, revoked_reason) on table public.sessions to authenticated;

create policy "Users read their own sessions and admins their tenant's" on public.sessions
  for select to authenticated
  using (tenant_id = (select app.tenant_id()) and (user_id = (select app.user_id()) or (select app.has_role('admin'))));

create policy "Users revoke their own sessions and admins their tenant's" on public.sessions
  for update to authenticated
  using (tenant_id = (select app.tenant_id()) and (user_id = (select app.user_id()) or (select app.has_role('admin'))))
  with check (tenant_id = (select app.tenant_id()) and (user_id = (select app.user_id()) or (select app.has_role('admin'))));

-- The refresh tokens of a session (its family). Only hashes are stored. A token is used
-- once: rotation sets rotated_at and issues the next; presenting a rotated token after the
-- leeway revokes the session. Only trusted code reads this table.
create table public.refresh_tokens (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references public.tenants (id) on delete cascade,
  session_id uuid not null references public.sessions (id) on delete cascade,
  token_hash text not null unique check (char_length(token_hash) = 64),
  created_at timestamptz not null default now(),
  rotated_at timestamptz,
  replaced_by uuid references public.refresh_tokens (id) on delete set null
);
create index refresh_tokens_session_idx on public.refresh_tokens (session_id);
alter table public.refresh_tokens enable row level security;
revoke all on table public.refresh_tokens from anon, authenticated;

-- Raises 401 unless the current request's session is live, its user and tenant active, and
-- the token's role and superadmin flag still those of the user (a role change makes older
-- access tokens stale at once: the client refreshes and gets the new role).
create or replace function app.require_session()
returns void
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  live record;
begin
  select u.role, u.superadmin into live
  from public.sessions s
  join public.users u on u.id = s.user_id
  join public.tenants t on t.id = s.tenant_id
  where s.id = nullif(app.claims() ->> 'sid', '')::uuid
    and s.user_id = app.user_id()
    and s.tenant_id = app.tenant_id()
    and s.revoked_at is null and s.expires_at > now()
    and u.active and t.active;
  if not found then
    raise exception 'Your session has ended; sign in again.' using errcode = 'AT401', hint = 'session_revoked';
  end if;
  if live.role is distinct from app.role() or live.superadmin <> app.is_superadmin() then
    raise exception 'Your role changed; refresh your access token.' using errcode = 'AT401', hint = 'token_stale';
  end if;
end
$$;
grant execute on function app.require_session() to authenticated;

-- Deactivating a user or a tenant ends their sessions for good: reactivation does not revive
-- old tokens.
create or replace function app.end_sessions_on_deactivation()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if old.active and not new.active then
    update public.sessions set revoked_at = now(), revoked_reason = 'deactivated'
    where revoked_at is null
      and (case when tg_table_name = 'tenants' then tenant_id = new.id else user_id = new.id end);
  end if;
  return new;
end
$$;
create trigger end_sessions_on_deactivation after update of active on public.users
  for each row execute function app.end_sessions_on_deactivation();
create trigger end_sessions_on_deactivation after update of active on public.tenants
  for each row execute function app.end_sessions_on_deactivation();

-- Section: login throttling

-- Failed and successful sign-ins, by account key (tenant slug or '*', and email) and address.
-- Only trusted code reads and writes it; old rows are purged by the retention job.
create table public.login_attempts (
  id bigint generated always as identity primary key,
  account_key text not null check (char_length(account_key) <= 400),
  ip inet,
  succeeded boolean not null,
  created_at timestamptz not null default now()
);
create index login_attempts_account_idx on public.login_attempts (account_key, created_at desc);
create index login_attempts_ip_idx on public.login_attempts (ip, created_at desc);
alter table public.login_attempts enable row level security;
revoke all on table public.login_attempts from anon, authenticated;

-- Section: single sign-on

-- A tenant's OpenID Connect configuration. The client secret is AES-256-GCM sealed by the
-- functions (bound to tenant and row); the database never sees it in clear.
create table public.tenant_sso (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null unique references public.tenants (id) on delete cascade,
  issuer text not null check (char_length(issuer) <= 500),
  client_id text not null check (char_length(client_id) <= 500),
  client_secret_sealed text check (char_length(client_secret_sealed) <= 4000),
  has_client_secret boolean generated always as (client_secret_sealed is not null) stored,
  allowed_domains text[] not null default '{}' check (cardinality(allowed_domains) <= 50),
  default_role text not null default 'member' check (default_role in ('admin', 'member', 'readonly')),
  enabled boolean not null default true,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
alter table public.tenant_sso enable row level security;
revoke all on table public.tenant_sso from anon, authenticated;
grant select (id, tenant_id, issuer, client_id, has_client_secret, allowed_domains, default_role, enabled, created_at, updated_at)
  on table public.tenant_sso to authenticated;
grant insert (id, tenant_id, issuer, client_id, client_secret_sealed, allowed_domains, default_role, enabled)
  on table public.tenant_sso to authenticated;
grant update (issuer, client_id, client_secret_sealed, allowed_domains, default_role, enabled, updated_at)
  on table public.tenant_sso to authenticated;
grant delete on table public.tenant_sso to authenticated;

create policy "Admins read their tenant's SSO settings" on public.tenant_sso
  for select to authenticated
  using (tenant_id = (select app.tenant_id()) and (select app.has_role('admin')));
create policy "Owners create their tenant's SSO settings" on public.tenant_sso
  for insert to authenticated
  with check (tenant_id = (select app.tenant_id()) and (select app.has_role('owner')));
create policy "Owners change their tenant's SSO settings" on public.tenant_sso
  for update to authenticated
  using (tenant_id = (select app.tenant_id()) and (select app.has_role('owner')))
  with check (tenant_id = (select app.tenant_id()) and (select app.has_role('owner')));
create policy "Owners remove their tenant's SSO settings" on public.tenant_sso
  for delete to authenticated
  using (tenant_id = (select app.tenant_id()) and (select app.has_role('owner')));

-- An SSO sign-in in flight, between /start and /callback: single use, short-lived, bound to
-- the browser by a cookie whose hash is stored. Only trusted code touches it.
create table public.sso_flows (
  state_hash text primary key check (char_length(state_hash) = 64),
  tenant_id uuid not null references public.tenants (id) on delete cascade,
  browser_hash text not null check (char_length(browser_hash) = 64),
  nonce text not null check (char_length(nonce) <= 128),
  code_verifier_sealed text not null check (char_length(code_verifier_sealed) <= 1000),
  return_to text check (char_length(return_to) <= 500),
  expires_at timestamptz not null
);
alter table public.sso_flows enable row level security;
revoke all on table public.sso_flows from anon, authenticated;

-- One-time codes handing a finished SSO sign-in to the web app, which exchanges one for a
-- new session's tokens (so no token travels in a URL). Only trusted code touches it.
create table public.auth_codes (
  code_hash text primary key check (char_length(code_hash) = 64),
  tenant_id uuid not null references public.tenants (id) on delete cascade,
  user_id uuid not null references public.users (id) on delete cascade,
  expires_at timestamptz not null
);
alter table public.auth_codes enable row level security;
revoke all on table public.auth_codes from anon, authenticated;
