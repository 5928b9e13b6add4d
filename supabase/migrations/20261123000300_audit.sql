-- The audit log: append-only, written only through app.audit(), readable by a tenant's admins.

-- Section: audit log

-- One row per security-relevant event. actor_id is kept as a plain uuid (no foreign key) so
-- history survives the deletion of the user it names.
create table public.audit_log (
  id bigint generated always as identity primary key,
  tenant_id uuid not null references public.tenants (id) on delete cascade,
  actor_id uuid,
  actor_email text check (char_length(actor_email) <= 254),
  action text not null check (action ~ '^[a-z][a-z0-9_.]{1,63}$'),
  target_type text check (char_length(target_type) <= 64),
  target_id text check (char_length(target_id) <= 200),
  ip inet,
  user_agent text check (char_length(user_agent) <= 512),
  details jsonb not null default '{}'::jsonb check (pg_column_size(details) < 16384),
  created_at timestamptz not null default now()
);
create index audit_log_tenant_time_idx on public.audit_log (tenant_id, created_at desc);
alter table public.audit_log enable row level security;
revoke all on table public.audit_log from anon, authenticated;
grant select on table public.audit_log to authenticated;

create policy "Admins read their tenant's audit log" on public.audit_log
  for select to authenticated
  using (tenant_id = (select app.tenant_id()) and (select app.has_role('admin')));

-- The only way rows enter the audit log. Under a request (claims present) the tenant and
-- actor come from the verified claims, whatever the caller passes; superadmins may name the
-- tenant they act on. Trusted code (no claims) passes them explicitly.
create or replace function app.audit(
  p_tenant_id uuid,
  p_action text,
  p_target_type text default null,
  p_target_id text default null,
  p_details jsonb default '{}'::jsonb,
  p_ip inet default null,
  p_user_agent text default null,
  p_actor_id uuid default null,
  p_actor_email text default null
)
returns void
language plpgsql
security definer
set search_path = ''
as $$
begin
  if app.user_id() is not null then
    p_actor_id := app.user_id();
    p_actor_email := app.claims() ->> 'email';
    if not app.is_superadmin() then
      p_tenant_id := app.tenant_id();
    end if;
  end if;
  insert into public.audit_log (tenant_id, actor_id, actor_email, action, target_type, target_id, details, ip, user_agent)
  values (p_tenant_id, p_actor_id, p_actor_email, p_action, p_target_type, p_target_id,
          coalesce(p_details, '{}'::jsonb), p_ip, left(p_user_agent, 512));
end
$$;
grant execute on function app.audit(uuid, text, text, text, jsonb, inet, text, uuid, text) to authenticated;
