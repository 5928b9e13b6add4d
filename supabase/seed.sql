-- Local development seed, applied by `npm start` after migrations (never on hosted Supabase).
-- Tenant "localhost" with admin@localhost / admin123 as owner and platform superadmin.
-- Idempotent: every statement tolerates existing rows. The password is weak on purpose and
-- exists only here; the login policy would refuse it for any real account.

insert into public.tenants (id, name, slug)
values ('00000000-0000-4000-8000-000000000001', 'Local development', 'localhost')
on conflict (slug) do nothing;

insert into public.users (tenant_id, email, display_name, password_hash, role, superadmin)
select t.id, 'admin@localhost', 'Local Admin',
       '$pbkdf2-sha256$i=600000$uDJek1es677j2zJN4TJN4g$1zTHrwbDL54N9GBW2ZRsc6DKeoa6Alh+xJU0ZZ5jaz4',
       'owner', true
from public.tenants t where t.slug = 'localhost'
on conflict (tenant_id, email) do nothing;

-- The offline demo model, so chat works before anyone adds a real provider key. It is the
-- tenant's default model until an admin picks another.
insert into public.providers (id, tenant_id, type, name)
select '00000000-0000-4000-8000-0000000000d0', t.id, 'demo', 'Demo (offline)'
from public.tenants t where t.slug = 'localhost'
on conflict do nothing;

insert into public.models (tenant_id, provider_id, model_id, display_name, context_window, max_output_tokens, is_default)
select t.id, '00000000-0000-4000-8000-0000000000d0', 'atrium-demo', 'Demo model (offline)', 8192, 1024,
       not exists (select 1 from public.models m where m.tenant_id = t.id and m.is_default)
from public.tenants t where t.slug = 'localhost'
on conflict do nothing;
