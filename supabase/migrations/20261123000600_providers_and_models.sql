-- LLM providers a tenant configured, their sealed secrets, their models and prices, and who
-- may use them. Secrets are AES-256-GCM sealed by the functions; the database never sees a key.

-- Section: providers

-- One upstream account: OpenAI, Anthropic, Gemini, Mistral, xAI, Azure OpenAI or any
-- OpenAI-compatible server. `restricted` providers are usable only through provider_access.
create table public.providers (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references public.tenants (id) on delete cascade,
  -- 'demo' is the offline demo model of the local stack (no network, no key).
  type text not null check (type in ('openai', 'anthropic', 'google', 'mistral', 'xai', 'azure_openai', 'openai_compatible', 'demo')),
  name text not null check (char_length(name) between 1 and 100),
  base_url text check (char_length(base_url) <= 500),
  api_version text check (char_length(api_version) <= 50),
  organization text check (char_length(organization) <= 200),
  deployments jsonb not null default '{}'::jsonb check (jsonb_typeof(deployments) = 'object' and pg_column_size(deployments) < 16384),
  extra_params jsonb not null default '{}'::jsonb check (jsonb_typeof(extra_params) = 'object' and pg_column_size(extra_params) < 16384),
  status text not null default 'active' check (status in ('active', 'inactive')),
  auth_type text not null default 'api_key' check (auth_type in ('api_key', 'oauth_client_credentials')),
  oauth jsonb not null default '{}'::jsonb check (jsonb_typeof(oauth) = 'object' and pg_column_size(oauth) < 4096),
  features text[] not null default '{chat,gateway}' check (features <@ array['chat', 'gateway', 'title_generation', 'prompt_enhancement']),
  allow_private_network boolean not null default false,
  restricted boolean not null default false,
  last_tested_at timestamptz,
  last_test_ok boolean,
  last_test_latency_ms integer,
  last_test_error text check (char_length(last_test_error) <= 500),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (tenant_id, name),
  unique (tenant_id, id)
);
alter table public.providers enable row level security;
revoke all on table public.providers from anon, authenticated;
grant select, delete on table public.providers to authenticated;
grant insert (id, tenant_id, type, name, base_url, api_version, organization, deployments, extra_params, status,
              auth_type, oauth, features, allow_private_network, restricted)
  on table public.providers to authenticated;
grant update (name, base_url, api_version, organization, deployments, extra_params, status, auth_type, oauth,
              features, allow_private_network, restricted, last_tested_at, last_test_ok, last_test_latency_ms,
              last_test_error, updated_at)
  on table public.providers to authenticated;

-- Section: provider access

-- Grants on a restricted provider, to a user or a team, as `user` or `manager`.
create table public.provider_access (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references public.tenants (id) on delete cascade,
  provider_id uuid not null,
  user_id uuid,
  team_id uuid,
  role text not null default 'user' check (role in ('user', 'manager')),
  created_at timestamptz not null default now(),
  check (num_nonnulls(user_id, team_id) = 1),
  unique (provider_id, user_id),
  unique (provider_id, team_id),
  foreign key (tenant_id, provider_id) references public.providers (tenant_id, id) on delete cascade,
  foreign key (tenant_id, user_id) references public.users (tenant_id, id) on delete cascade,
  foreign key (tenant_id, team_id) references public.teams (tenant_id, id) on delete cascade
);
alter table public.provider_access enable row level security;
revoke all on table public.provider_access from anon, authenticated;
grant select, delete on table public.provider_access to authenticated;
grant insert (tenant_id, provider_id, user_id, team_id, role) on table public.provider_access to authenticated;
grant update (role) on table public.provider_access to authenticated;

-- The caller's access to a provider: 'manager', 'user' or null. Admins manage every provider
-- of their tenant; an unrestricted active provider is open to every member.
create or replace function app.provider_role(p_provider_id uuid)
returns text
language sql
stable
security definer
set search_path = ''
as $$
  with grants as (
    select bool_or(a.role = 'manager') as manager, count(*) > 0 as granted
    from public.provider_access a
    where a.provider_id = p_provider_id
      and (a.user_id = app.user_id()
           or a.team_id in (select m.team_id from public.team_members m where m.user_id = app.user_id()))
  )
  select case
    when app.has_role('admin') or g.manager then 'manager'
    when p.status <> 'active' then null
    when g.granted or not p.restricted then 'user'
  end
  from public.providers p, grants g
  where p.id = p_provider_id and p.tenant_id = app.tenant_id()
$$;
grant execute on function app.provider_role(uuid) to authenticated;

create policy "Members see the providers they may use; admins see all" on public.providers
  for select to authenticated
  using (tenant_id = (select app.tenant_id()) and app.provider_role(id) is not null);
create policy "Admins add providers" on public.providers
  for insert to authenticated
  with check (tenant_id = (select app.tenant_id()) and (select app.has_role('admin')));
create policy "Admins and provider managers update providers" on public.providers
  for update to authenticated
  using (tenant_id = (select app.tenant_id()) and app.provider_role(id) = 'manager')
  with check (tenant_id = (select app.tenant_id()) and app.provider_role(id) = 'manager');
create policy "Admins delete providers" on public.providers
  for delete to authenticated
  using (tenant_id = (select app.tenant_id()) and (select app.has_role('admin')));

create policy "Admins and managers read a provider's access list; users their own grants" on public.provider_access
  for select to authenticated
  using (tenant_id = (select app.tenant_id())
         and (app.provider_role(provider_id) = 'manager' or user_id = (select app.user_id())));
create policy "Admins and managers grant access" on public.provider_access
  for insert to authenticated
  with check (tenant_id = (select app.tenant_id()) and app.provider_role(provider_id) = 'manager');
create policy "Admins and managers change grants" on public.provider_access
  for update to authenticated
  using (tenant_id = (select app.tenant_id()) and app.provider_role(provider_id) = 'manager')
  with check (tenant_id = (select app.tenant_id()) and app.provider_role(provider_id) = 'manager');
create policy "Admins and managers revoke access" on public.provider_access
  for delete to authenticated
  using (tenant_id = (select app.tenant_id()) and app.provider_role(provider_id) = 'manager');

-- Section: provider secrets

-- API keys, OAuth client secrets and cached OAuth access tokens, sealed with the key version
-- named in the value (`v<version>.…`), bound to tenant and row. `mask` is all a list shows.
create table public.provider_secrets (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references public.tenants (id) on delete cascade,
  provider_id uuid not null,
  kind text not null check (kind in ('api_key', 'oauth_client_secret', 'oauth_access_token')),
  sealed text not null check (char_length(sealed) <= 20000),
  key_version integer not null,
  mask text not null check (char_length(mask) <= 40),
  expires_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (provider_id, kind),
  foreign key (tenant_id, provider_id) references public.providers (tenant_id, id) on delete cascade
);
alter table public.provider_secrets enable row level security;
revoke all on table public.provider_secrets from anon, authenticated;
grant select (id, tenant_id, provider_id, kind, key_version, mask, expires_at, created_at, updated_at)
  on table public.provider_secrets to authenticated;
grant insert (id, tenant_id, provider_id, kind, sealed, key_version, mask, expires_at) on table public.provider_secrets to authenticated;
grant update (sealed, key_version, mask, expires_at, updated_at) on table public.provider_secrets to authenticated;
grant delete on table public.provider_secrets to authenticated;

create policy "Provider managers read secret metadata" on public.provider_secrets
  for select to authenticated
  using (tenant_id = (select app.tenant_id()) and app.provider_role(provider_id) = 'manager');
create policy "Provider managers set secrets" on public.provider_secrets
  for insert to authenticated
  with check (tenant_id = (select app.tenant_id()) and app.provider_role(provider_id) = 'manager');
create policy "Provider managers replace secrets" on public.provider_secrets
  for update to authenticated
  using (tenant_id = (select app.tenant_id()) and app.provider_role(provider_id) = 'manager')
  with check (tenant_id = (select app.tenant_id()) and app.provider_role(provider_id) = 'manager');
create policy "Provider managers remove secrets" on public.provider_secrets
  for delete to authenticated
  using (tenant_id = (select app.tenant_id()) and app.provider_role(provider_id) = 'manager');

-- The sealed secrets of a provider for a call the caller may make: the sealed value never
-- leaves SQL for anyone without access, and nobody reads `sealed` through a table grant.
create or replace function app.provider_secrets_for_call(p_provider_id uuid)
returns table (id uuid, kind text, sealed text, expires_at timestamptz)
language sql
stable
security definer
set search_path = ''
as $$
  select s.id, s.kind, s.sealed, s.expires_at from public.provider_secrets s
  where s.provider_id = p_provider_id and s.tenant_id = app.tenant_id() and app.provider_role(p_provider_id) is not null
$$;
grant execute on function app.provider_secrets_for_call(uuid) to authenticated;

-- Section: models

-- A model of a provider as this tenant offers it: display name, limits, prices per million
-- tokens (the tenant's own, used for every usage row) and parameter quirks.
create table public.models (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references public.tenants (id) on delete cascade,
  provider_id uuid not null,
  model_id text not null check (char_length(model_id) between 1 and 200),
  display_name text not null check (char_length(display_name) between 1 and 200),
  deployment_name text check (char_length(deployment_name) <= 200),
  context_window integer not null default 8192 check (context_window between 256 and 10000000),
  max_output_tokens integer not null default 4096 check (max_output_tokens between 1 and 1000000),
  input_price_per_mtok numeric(14, 6) not null default 0 check (input_price_per_mtok >= 0),
  output_price_per_mtok numeric(14, 6) not null default 0 check (output_price_per_mtok >= 0),
  capabilities text[] not null default '{chat,streaming}' check (cardinality(capabilities) <= 20),
  quirks jsonb not null default '{}'::jsonb check (jsonb_typeof(quirks) = 'object' and pg_column_size(quirks) < 4096),
  enabled boolean not null default true,
  is_default boolean not null default false,
  sort_order integer not null default 0,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (provider_id, model_id),
  unique (tenant_id, id),
  foreign key (tenant_id, provider_id) references public.providers (tenant_id, id) on delete cascade
);
-- Exactly one default model per tenant at most.
create unique index models_one_default_per_tenant on public.models (tenant_id) where is_default;
alter table public.models enable row level security;
revoke all on table public.models from anon, authenticated;
grant select, delete on table public.models to authenticated;
grant insert (id, tenant_id, provider_id, model_id, display_name, deployment_name, context_window, max_output_tokens,
              input_price_per_mtok, output_price_per_mtok, capabilities, quirks, enabled, is_default, sort_order)
  on table public.models to authenticated;
grant update (display_name, deployment_name, context_window, max_output_tokens, input_price_per_mtok,
              output_price_per_mtok, capabilities, quirks, enabled, is_default, sort_order, updated_at)
  on table public.models to authenticated;

create policy "Members see the models of providers they may use" on public.models
  for select to authenticated
  using (tenant_id = (select app.tenant_id()) and app.provider_role(provider_id) is not null);
create policy "Provider managers add models" on public.models
  for insert to authenticated
  with check (tenant_id = (select app.tenant_id()) and app.provider_role(provider_id) = 'manager');
create policy "Provider managers change models" on public.models
  for update to authenticated
  using (tenant_id = (select app.tenant_id()) and app.provider_role(provider_id) = 'manager')
  with check (tenant_id = (select app.tenant_id()) and app.provider_role(provider_id) = 'manager');
create policy "Provider managers remove models" on public.models
  for delete to authenticated
  using (tenant_id = (select app.tenant_id()) and app.provider_role(provider_id) = 'manager');

-- Caches an OAuth client-credentials access token (sealed by the functions) for a provider
-- the caller may use, so members' calls can refresh it without write access to secrets.
create or replace function app.cache_provider_token(
  p_provider_id uuid, p_id uuid, p_sealed text, p_key_version integer, p_expires_at timestamptz)
returns void
language plpgsql
security definer
set search_path = ''
as $$
begin
  if app.provider_role(p_provider_id) is null then
    raise exception 'No such provider.' using errcode = 'AT404', hint = 'not_found';
  end if;
  insert into public.provider_secrets (id, tenant_id, provider_id, kind, sealed, key_version, mask, expires_at)
  values (p_id, app.tenant_id(), p_provider_id, 'oauth_access_token', p_sealed, p_key_version, 'token', p_expires_at)
  on conflict (provider_id, kind) do update
    set sealed = excluded.sealed, key_version = excluded.key_version, expires_at = excluded.expires_at, updated_at = now()
    where public.provider_secrets.id = excluded.id;
end
$$;
grant execute on function app.cache_provider_token(uuid, uuid, text, integer, timestamptz) to authenticated;
