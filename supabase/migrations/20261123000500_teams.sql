-- Teams: groups of users in a tenant. Provider access can be granted to a team; the gateway's
-- team API keys, quotas and usage will hang off this table too.

-- Section: teams

-- A named group of a tenant's users.
create table public.teams (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references public.tenants (id) on delete cascade,
  name text not null check (char_length(name) between 1 and 100),
  description text not null default '' check (char_length(description) <= 1000),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (tenant_id, name),
  unique (tenant_id, id)
);
alter table public.teams enable row level security;
revoke all on table public.teams from anon, authenticated;
grant select, delete on table public.teams to authenticated;
grant insert (id, tenant_id, name, description) on table public.teams to authenticated;
grant update (name, description, updated_at) on table public.teams to authenticated;

create policy "Members read their tenant's teams" on public.teams
  for select to authenticated
  using (tenant_id = (select app.tenant_id()));
create policy "Admins create teams" on public.teams
  for insert to authenticated
  with check (tenant_id = (select app.tenant_id()) and (select app.has_role('admin')));
create policy "Admins update teams" on public.teams
  for update to authenticated
  using (tenant_id = (select app.tenant_id()) and (select app.has_role('admin')))
  with check (tenant_id = (select app.tenant_id()) and (select app.has_role('admin')));
create policy "Admins delete teams" on public.teams
  for delete to authenticated
  using (tenant_id = (select app.tenant_id()) and (select app.has_role('admin')));

-- Who is in which team. The composite foreign keys keep team and user in the row's tenant.
create table public.team_members (
  tenant_id uuid not null references public.tenants (id) on delete cascade,
  team_id uuid not null,
  user_id uuid not null,
  created_at timestamptz not null default now(),
  primary key (team_id, user_id),
  foreign key (tenant_id, team_id) references public.teams (tenant_id, id) on delete cascade,
  foreign key (tenant_id, user_id) references public.users (tenant_id, id) on delete cascade
);
create index team_members_user_idx on public.team_members (user_id);
alter table public.team_members enable row level security;
revoke all on table public.team_members from anon, authenticated;
grant select, delete on table public.team_members to authenticated;
grant insert (tenant_id, team_id, user_id) on table public.team_members to authenticated;

create policy "Members read their tenant's team memberships" on public.team_members
  for select to authenticated
  using (tenant_id = (select app.tenant_id()));
create policy "Admins add team members" on public.team_members
  for insert to authenticated
  with check (tenant_id = (select app.tenant_id()) and (select app.has_role('admin')));
create policy "Admins remove team members" on public.team_members
  for delete to authenticated
  using (tenant_id = (select app.tenant_id()) and (select app.has_role('admin')));
