-- Tenants (organisations) and their users, with the guards that keep roles honest:
-- nobody raises themselves, the last owner stays, max_users holds, ownership columns are fixed.

-- Section: tenants

-- An organisation. Its id is the tenant_id of every row it owns.
create table public.tenants (
  id uuid primary key default gen_random_uuid(),
  name text not null check (char_length(name) between 1 and 200),
  slug text not null unique check (slug ~ '^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$'),
  max_users integer check (max_users is null or max_users > 0),
  active boolean not null default true,
  settings jsonb not null default '{}'::jsonb check (jsonb_typeof(settings) = 'object' and pg_column_size(settings) < 65536),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
alter table public.tenants enable row level security;
revoke all on table public.tenants from anon, authenticated;
grant select, insert on table public.tenants to authenticated;
grant update (name, slug, max_users, active, settings) on table public.tenants to authenticated;

create policy "Members read their own tenant" on public.tenants
  for select to authenticated
  using (id = (select app.tenant_id()) or (select app.is_superadmin()));

create policy "Superadmins create tenants" on public.tenants
  for insert to authenticated
  with check ((select app.is_superadmin()));

create policy "Admins update their tenant and superadmins any tenant" on public.tenants
  for update to authenticated
  using ((id = (select app.tenant_id()) and (select app.has_role('admin'))) or (select app.is_superadmin()))
  with check ((id = (select app.tenant_id()) and (select app.has_role('admin'))) or (select app.is_superadmin()));

-- Slug, max_users and active belong to the platform: only superadmins change them.
create or replace function app.guard_tenant_update()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  new.updated_at := now();
  if app.user_id() is null or app.is_superadmin() then
    return new;
  end if;
  if new.slug is distinct from old.slug or new.max_users is distinct from old.max_users
     or new.active is distinct from old.active then
    raise exception 'Only a platform superadmin can change the slug, user limit or status of an organisation.'
      using errcode = 'AT403', hint = 'superadmin_only';
  end if;
  return new;
end
$$;
create trigger guard_tenant_update before update on public.tenants
  for each row execute function app.guard_tenant_update();

-- Section: users

-- A person in one tenant. Email is unique per tenant; password_hash is null for SSO-only users
-- and for invited users who have not set one. sso_subject is "<issuer>|<sub>".
create table public.users (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references public.tenants (id) on delete cascade,
  email text not null check (char_length(email) between 3 and 254 and email = lower(email) and email like '%_@_%'),
  display_name text not null default '' check (char_length(display_name) <= 200),
  password_hash text check (char_length(password_hash) <= 512),
  role text not null default 'member' check (role in ('owner', 'admin', 'member', 'readonly')),
  active boolean not null default true,
  superadmin boolean not null default false,
  sso_subject text check (char_length(sso_subject) <= 600),
  last_login_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (tenant_id, email),
  unique (tenant_id, id),
  unique (tenant_id, sso_subject)
);
create index users_email_idx on public.users (email);
alter table public.users enable row level security;
revoke all on table public.users from anon, authenticated;
-- password_hash is never readable through the request role.
grant select (id, tenant_id, email, display_name, role, active, superadmin, sso_subject, last_login_at, created_at, updated_at)
  on table public.users to authenticated;
grant insert (tenant_id, email, display_name, password_hash, role, active) on table public.users to authenticated;
grant update (email, display_name, role, active) on table public.users to authenticated;
grant delete on table public.users to authenticated;

create policy "Members read the users of their tenant" on public.users
  for select to authenticated
  using (tenant_id = (select app.tenant_id()));

create policy "Admins add users to their tenant and superadmins to any" on public.users
  for insert to authenticated
  with check ((tenant_id = (select app.tenant_id()) and (select app.has_role('admin'))) or (select app.is_superadmin()));

create policy "Admins update users and users update themselves" on public.users
  for update to authenticated
  using (tenant_id = (select app.tenant_id()) and ((select app.has_role('admin')) or id = (select app.user_id())))
  with check (tenant_id = (select app.tenant_id()) and ((select app.has_role('admin')) or id = (select app.user_id())));

create policy "Admins delete users of their tenant" on public.users
  for delete to authenticated
  using (tenant_id = (select app.tenant_id()) and (select app.has_role('admin')));

-- Role rank for comparisons: readonly 1 … owner 4.
create or replace function app.role_rank(r text)
returns integer
language sql
immutable
set search_path = ''
as $$
  select coalesce(array_position(array['readonly', 'member', 'admin', 'owner'], r), 0)
$$;
grant execute on function app.role_rank(text) to authenticated;

-- Business rules on users, checked for request code (claims present); trusted code (login,
-- signup, SSO provisioning) runs without claims and enforces its own rules.
create or replace function app.guard_users()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  acting uuid := app.user_id();
  target public.users := case when tg_op = 'DELETE' then old else new end;
  active_count integer;
  limit_users integer;
begin
  if tg_op <> 'DELETE' then
    new.updated_at := now();
  end if;
  -- One tenant at a time: serialise user-count and last-owner checks per tenant.
  perform pg_advisory_xact_lock(hashtext('users:' || target.tenant_id::text));

  if acting is not null then
    if tg_op = 'UPDATE' and (new.id <> old.id or new.tenant_id <> old.tenant_id or new.superadmin <> old.superadmin
        or new.sso_subject is distinct from old.sso_subject or new.password_hash is distinct from old.password_hash) then
      raise exception 'That field cannot be changed.' using errcode = 'AT403', hint = 'immutable_field';
    end if;
    if tg_op = 'UPDATE' and not app.has_role('admin')
       and (new.role <> old.role or new.active <> old.active or new.email <> old.email) then
      raise exception 'Only admins can change roles, status or email.' using errcode = 'AT403', hint = 'forbidden';
    end if;
    if tg_op in ('UPDATE', 'DELETE') and target.id = acting
       and (tg_op = 'DELETE' or app.role_rank(new.role) < app.role_rank(old.role) or (old.active and not new.active)) then
      raise exception 'You cannot demote, deactivate or delete yourself.' using errcode = 'AT403', hint = 'self_change';
    end if;
    -- Owners are managed by owners only; an admin may not create, change or remove one.
    if not (app.has_role('owner') or app.is_superadmin()) and (
         (tg_op <> 'INSERT' and old.role = 'owner') or (tg_op <> 'DELETE' and new.role = 'owner')) then
      raise exception 'Only an owner can grant, change or remove the owner role.' using errcode = 'AT403', hint = 'owner_only';
    end if;
    if tg_op = 'INSERT' and new.superadmin then
      raise exception 'That field cannot be set.' using errcode = 'AT403', hint = 'immutable_field';
    end if;
  end if;

  -- The last active owner stays an active owner.
  if tg_op in ('UPDATE', 'DELETE') and old.role = 'owner' and old.active
     and (tg_op = 'DELETE' or new.role <> 'owner' or not new.active) then
    if not exists (select 1 from public.users u where u.tenant_id = old.tenant_id and u.role = 'owner'
                   and u.active and u.id <> old.id) then
      raise exception 'The last owner of an organisation cannot be demoted, deactivated or removed.'
        using errcode = 'AT409', hint = 'last_owner';
    end if;
  end if;

  -- max_users counts active users.
  if (tg_op = 'INSERT' and new.active) or (tg_op = 'UPDATE' and new.active and not old.active) then
    select t.max_users into limit_users from public.tenants t where t.id = new.tenant_id;
    select count(*) into active_count from public.users u where u.tenant_id = new.tenant_id and u.active;
    if limit_users is not null and active_count >= limit_users then
      raise exception 'This organisation has reached its limit of % active users.', limit_users
        using errcode = 'AT409', hint = 'max_users_reached';
    end if;
  end if;
  return case when tg_op = 'DELETE' then old else new end;
end
$$;
create trigger guard_users before insert or update or delete on public.users
  for each row execute function app.guard_users();

-- Active users of a tenant, for the caller's own tenant or any tenant for a superadmin
-- (their RLS view of users is their own tenant only).
create or replace function app.active_user_count(p_tenant_id uuid)
returns integer
language sql
stable
security definer
set search_path = ''
as $$
  select count(*)::integer from public.users u
  where u.tenant_id = p_tenant_id and u.active and (p_tenant_id = app.tenant_id() or app.is_superadmin())
$$;
grant execute on function app.active_user_count(uuid) to authenticated;
