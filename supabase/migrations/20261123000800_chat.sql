-- Conversations and their messages (private to their owner), and the usage row every model
-- call writes, priced with the tenant's own model prices.

-- Section: conversations

-- A chat thread of one user. model_id / temperature / assistant_id are the conversation's
-- settings; a message may override them (message > conversation > assistant > tenant default).
create table public.conversations (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references public.tenants (id) on delete cascade,
  owner_id uuid not null,
  title text not null default 'New conversation' check (char_length(title) between 1 and 200),
  title_generated boolean not null default false,
  model_id uuid,
  temperature numeric(3, 2) check (temperature between 0 and 2),
  assistant_id uuid,
  archived boolean not null default false,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  last_message_at timestamptz not null default now(),
  unique (tenant_id, id),
  foreign key (tenant_id, owner_id) references public.users (tenant_id, id) on delete cascade,
  foreign key (tenant_id, model_id) references public.models (tenant_id, id) on delete set null (model_id),
  foreign key (tenant_id, assistant_id) references public.assistants (tenant_id, id) on delete set null (assistant_id)
);
create index conversations_owner_recent_idx on public.conversations (owner_id, last_message_at desc, id desc);
alter table public.conversations enable row level security;
revoke all on table public.conversations from anon, authenticated;
grant select, delete on table public.conversations to authenticated;
grant insert (id, tenant_id, owner_id, title, title_generated, model_id, temperature, assistant_id) on table public.conversations to authenticated;
grant update (title, title_generated, model_id, temperature, assistant_id, archived, updated_at, last_message_at)
  on table public.conversations to authenticated;

create policy "Users read their own conversations" on public.conversations
  for select to authenticated
  using (tenant_id = (select app.tenant_id()) and owner_id = (select app.user_id()));
create policy "Members start their own conversations" on public.conversations
  for insert to authenticated
  with check (tenant_id = (select app.tenant_id()) and owner_id = (select app.user_id()) and (select app.has_role('member')));
create policy "Members change their own conversations" on public.conversations
  for update to authenticated
  using (tenant_id = (select app.tenant_id()) and owner_id = (select app.user_id()) and (select app.has_role('member')))
  with check (tenant_id = (select app.tenant_id()) and owner_id = (select app.user_id()));
create policy "Users delete their own conversations" on public.conversations
  for delete to authenticated
  using (tenant_id = (select app.tenant_id()) and owner_id = (select app.user_id()));

-- Section: messages

-- One turn. seq orders a conversation and pages it; an answer's status says whether it
-- finished (complete), was cut short with its text kept (interrupted), or produced nothing
-- (failed, with error_code).
create table public.messages (
  id uuid primary key default gen_random_uuid(),
  seq bigint generated always as identity,
  tenant_id uuid not null references public.tenants (id) on delete cascade,
  conversation_id uuid not null,
  owner_id uuid not null,
  role text not null check (role in ('user', 'assistant', 'system')),
  content text not null check (char_length(content) <= 400000),
  model text check (char_length(model) <= 200),
  status text not null default 'complete' check (status in ('complete', 'interrupted', 'failed')),
  error_code text check (char_length(error_code) <= 64),
  input_tokens integer not null default 0 check (input_tokens >= 0),
  output_tokens integer not null default 0 check (output_tokens >= 0),
  created_at timestamptz not null default now(),
  foreign key (tenant_id, conversation_id) references public.conversations (tenant_id, id) on delete cascade
);
create index messages_conversation_seq_idx on public.messages (conversation_id, seq);
alter table public.messages enable row level security;
revoke all on table public.messages from anon, authenticated;
grant select, delete on table public.messages to authenticated;
grant insert (tenant_id, conversation_id, owner_id, role, content, model, status, error_code, input_tokens, output_tokens)
  on table public.messages to authenticated;

create policy "Users read their own messages" on public.messages
  for select to authenticated
  using (tenant_id = (select app.tenant_id()) and owner_id = (select app.user_id()));
create policy "Members add messages to their own conversations" on public.messages
  for insert to authenticated
  with check (tenant_id = (select app.tenant_id()) and owner_id = (select app.user_id()) and (select app.has_role('member'))
              and exists (select 1 from public.conversations c where c.id = conversation_id and c.owner_id = (select app.user_id())));
create policy "Members delete their own messages" on public.messages
  for delete to authenticated
  using (tenant_id = (select app.tenant_id()) and owner_id = (select app.user_id()) and (select app.has_role('member')));

-- Section: usage

-- One row per model call (chat, title, prompt enhancement, gateway): who, which model, how
-- many tokens, what it cost at the tenant's prices, latency and time to first token.
create table public.usage_events (
  id bigint generated always as identity primary key,
  tenant_id uuid not null references public.tenants (id) on delete cascade,
  user_id uuid,
  team_id uuid,
  api_key_id uuid,
  source text not null check (source in ('chat', 'title', 'enhance', 'gateway', 'test')),
  provider_id uuid,
  model_ref uuid,
  model text not null check (char_length(model) <= 200),
  input_tokens integer not null default 0 check (input_tokens >= 0),
  output_tokens integer not null default 0 check (output_tokens >= 0),
  cost numeric(18, 8) not null default 0,
  latency_ms integer check (latency_ms >= 0),
  ttft_ms integer check (ttft_ms >= 0),
  status text not null check (status in ('ok', 'interrupted', 'failed')),
  conversation_id uuid,
  created_at timestamptz not null default now()
);
create index usage_events_tenant_time_idx on public.usage_events (tenant_id, created_at desc);
create index usage_events_user_time_idx on public.usage_events (user_id, created_at desc);
alter table public.usage_events enable row level security;
revoke all on table public.usage_events from anon, authenticated;
grant select on table public.usage_events to authenticated;

create policy "Users read their own usage and admins their tenant's" on public.usage_events
  for select to authenticated
  using (tenant_id = (select app.tenant_id()) and (user_id = (select app.user_id()) or (select app.has_role('admin'))));

-- Records one model call for the current user, priced from the tenant's model row: callers
-- say what happened, never what it cost. Returns the cost.
create or replace function app.record_usage(
  p_source text, p_model_ref uuid, p_model text, p_input_tokens integer, p_output_tokens integer,
  p_latency_ms integer, p_ttft_ms integer, p_status text, p_conversation_id uuid default null)
returns numeric
language plpgsql
security definer
set search_path = ''
as $$
declare
  m public.models;
  v_cost numeric(18, 8) := 0;
begin
  if app.user_id() is null then
    raise exception 'No request context.' using errcode = 'AT401', hint = 'unauthorized';
  end if;
  select * into m from public.models where id = p_model_ref and tenant_id = app.tenant_id();
  if found then
    v_cost := (greatest(p_input_tokens, 0) * m.input_price_per_mtok + greatest(p_output_tokens, 0) * m.output_price_per_mtok) / 1000000;
  end if;
  insert into public.usage_events (tenant_id, user_id, source, provider_id, model_ref, model, input_tokens, output_tokens,
    cost, latency_ms, ttft_ms, status, conversation_id)
  values (app.tenant_id(), app.user_id(), p_source, m.provider_id, p_model_ref, p_model, greatest(p_input_tokens, 0),
    greatest(p_output_tokens, 0), v_cost, p_latency_ms, p_ttft_ms, p_status, p_conversation_id);
  return v_cost;
end
$$;
grant execute on function app.record_usage(text, uuid, text, integer, integer, integer, integer, text, uuid) to authenticated;
