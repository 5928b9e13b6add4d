-- Local development seed, applied by `npm start` after migrations (never on hosted Supabase).
-- Idempotent: every statement tolerates an existing row.
select 1;
