-- Assistants and prompt templates: each is personal (owner_id = its user) or tenant-wide
-- (owner_id null, shared with everyone in the tenant and managed by admins). Members read
-- tenant-wide rows and their own; nobody sees another member's personal rows, admins included.

-- Section: ownership helpers

-- Rules shared by both tables, for request code (claims present): the tenant and owner of a
-- row never change, whatever the column grants say; updated_at follows every change.
-- Trusted code (no claims) and foreign-key actions only get updated_at.
create or replace function app.guard_owned_row()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  new.updated_at := now();
  if app.user_id() is not null
     and (new.tenant_id is distinct from old.tenant_id or new.owner_id is distinct from old.owner_id) then
    raise exception 'The organisation and owner of this item cannot be changed.'
      using errcode = 'AT403', hint = 'immutable_field';
  end if;
  return new;
end
$$;

-- Tag lists as one text, for the search vector and checks. array_to_string is only stable
-- in general (it calls element output functions), but for text[] the result is fixed.
create or replace function app.tags_text(tags text[])
returns text
language sql
immutable
set search_path = ''
as $$
  select coalesce(array_to_string(tags, ' '), '')
$$;
grant execute on function app.tags_text(text[]) to authenticated;

-- At most 20 tags of 1 to 40 characters, none null.
create or replace function app.valid_tags(tags text[])
returns boolean
language sql
immutable
set search_path = ''
as $$
  select coalesce(cardinality(tags), 0) <= 20
     and coalesce((select bool_and(t is not null and char_length(t) between 1 and 40) from unnest(tags) t), true)
$$;
grant execute on function app.valid_tags(text[]) to authenticated;

-- Section: assistants

-- A named system prompt with an optional model and temperature that a conversation can start
-- from. model_id is set to null when its model is removed; the composite key keeps the model
-- in the row's tenant, and the guard below keeps it among the models the writer may use.
create table public.assistants (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references public.tenants (id) on delete cascade,
  owner_id uuid,
  name text not null check (char_length(name) between 1 and 100),
  description text not null default '' check (char_length(description) <= 1000),
  icon text not null default '' check (char_length(icon) <= 16),
  system_prompt text not null default '' check (char_length(system_prompt) <= 20000),
  model_id uuid,
  temperature numeric(3, 2) check (temperature between 0 and 2),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (tenant_id, id),
  foreign key (tenant_id, owner_id) references public.users (tenant_id, id) on delete cascade,
  foreign key (tenant_id, model_id) references public.models (tenant_id, id) on delete set null (model_id)
);
create index assistants_tenant_owner_idx on public.assistants (tenant_id, owner_id);
create index assistants_model_idx on public.assistants (model_id) where model_id is not null;
alter table public.assistants enable row level security;
revoke all on table public.assistants from anon, authenticated;
grant select, delete on table public.assistants to authenticated;
grant insert (id, tenant_id, owner_id, name, description, icon, system_prompt, model_id, temperature)
  on table public.assistants to authenticated;
-- No tenant_id or owner_id: ownership is fixed at creation.
grant update (name, description, icon, system_prompt, model_id, temperature) on table public.assistants to authenticated;

create policy "Members read tenant-wide assistants and their own" on public.assistants
  for select to authenticated
  using (tenant_id = (select app.tenant_id()) and (owner_id is null or owner_id = (select app.user_id())));
create policy "Members create their own assistants and admins tenant-wide ones" on public.assistants
  for insert to authenticated
  with check (tenant_id = (select app.tenant_id())
              and ((owner_id is null and (select app.has_role('admin')))
                   or (owner_id = (select app.user_id()) and (select app.has_role('member')))));
create policy "Members update their own assistants and admins tenant-wide ones" on public.assistants
  for update to authenticated
  using (tenant_id = (select app.tenant_id())
         and ((owner_id is null and (select app.has_role('admin')))
              or (owner_id = (select app.user_id()) and (select app.has_role('member')))))
  with check (tenant_id = (select app.tenant_id())
              and ((owner_id is null and (select app.has_role('admin')))
                   or (owner_id = (select app.user_id()) and (select app.has_role('member')))));
create policy "Members delete their own assistants and admins tenant-wide ones" on public.assistants
  for delete to authenticated
  using (tenant_id = (select app.tenant_id())
         and ((owner_id is null and (select app.has_role('admin')))
              or (owner_id = (select app.user_id()) and (select app.has_role('member')))));

create trigger guard_owned_row before update on public.assistants
  for each row execute function app.guard_owned_row();

-- A request may only point an assistant at a model it can see, i.e. one of a provider open to
-- the writer (the models policy asks app.provider_role). Runs as the caller, so RLS decides.
-- An unchanged model is not re-checked: renaming stays possible after access is withdrawn.
create or replace function app.guard_assistant_model()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if app.user_id() is not null and new.model_id is not null
     and (tg_op = 'INSERT' or new.model_id is distinct from old.model_id)
     and not exists (select 1 from public.models m where m.id = new.model_id) then
    raise exception 'You may not use that model.' using errcode = 'AT403', hint = 'model_not_allowed';
  end if;
  return new;
end
$$;
create trigger guard_assistant_model before insert or update of model_id on public.assistants
  for each row execute function app.guard_assistant_model();

-- Section: prompt templates

-- A reusable prompt with {{variable}} placeholders, found by name (unique in the tenant, so a
-- name means one template to everyone) or by full-text search over title, name, tags, category
-- and content. An enhancement prompt is the one the tenant (or a user, for themselves) runs to
-- improve a prompt: at most one tenant-wide and one personal per user.
create table public.prompt_templates (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references public.tenants (id) on delete cascade,
  owner_id uuid,
  name text not null check (char_length(name) <= 64 and name ~ '^[a-z0-9]+([_-][a-z0-9]+)*$'),
  title text not null check (char_length(title) between 1 and 200),
  content text not null check (char_length(content) between 1 and 20000),
  category text not null default '' check (char_length(category) <= 50),
  tags text[] not null default '{}' check (app.valid_tags(tags)),
  is_enhancement boolean not null default false,
  search tsvector generated always as (
    setweight(to_tsvector('simple', title), 'A')
    || setweight(to_tsvector('simple', name), 'A')
    || setweight(to_tsvector('simple', app.tags_text(tags) || ' ' || category), 'B')
    || setweight(to_tsvector('simple', content), 'C')
  ) stored,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (tenant_id, id),
  constraint prompt_templates_name_key unique (tenant_id, name),
  foreign key (tenant_id, owner_id) references public.users (tenant_id, id) on delete cascade
);
create unique index prompt_templates_one_tenant_enhancement on public.prompt_templates (tenant_id)
  where is_enhancement and owner_id is null;
create unique index prompt_templates_one_personal_enhancement on public.prompt_templates (owner_id)
  where is_enhancement and owner_id is not null;
create index prompt_templates_tenant_owner_idx on public.prompt_templates (tenant_id, owner_id);
create index prompt_templates_search_idx on public.prompt_templates using gin (search);
create index prompt_templates_tags_idx on public.prompt_templates using gin (tags);
alter table public.prompt_templates enable row level security;
revoke all on table public.prompt_templates from anon, authenticated;
grant select, delete on table public.prompt_templates to authenticated;
grant insert (id, tenant_id, owner_id, name, title, content, category, tags, is_enhancement)
  on table public.prompt_templates to authenticated;
grant update (name, title, content, category, tags, is_enhancement) on table public.prompt_templates to authenticated;

create policy "Members read tenant-wide templates and their own" on public.prompt_templates
  for select to authenticated
  using (tenant_id = (select app.tenant_id()) and (owner_id is null or owner_id = (select app.user_id())));
create policy "Members create their own templates and admins tenant-wide ones" on public.prompt_templates
  for insert to authenticated
  with check (tenant_id = (select app.tenant_id())
              and ((owner_id is null and (select app.has_role('admin')))
                   or (owner_id = (select app.user_id()) and (select app.has_role('member')))));
create policy "Members update their own templates and admins tenant-wide ones" on public.prompt_templates
  for update to authenticated
  using (tenant_id = (select app.tenant_id())
         and ((owner_id is null and (select app.has_role('admin')))
              or (owner_id = (select app.user_id()) and (select app.has_role('member')))))
  with check (tenant_id = (select app.tenant_id())
              and ((owner_id is null and (select app.has_role('admin')))
                   or (owner_id = (select app.user_id()) and (select app.has_role('member')))));
create policy "Members delete their own templates and admins tenant-wide ones" on public.prompt_templates
  for delete to authenticated
  using (tenant_id = (select app.tenant_id())
         and ((owner_id is null and (select app.has_role('admin')))
              or (owner_id = (select app.user_id()) and (select app.has_role('member')))));

create trigger guard_owned_row before update on public.prompt_templates
  for each row execute function app.guard_owned_row();
