// The models a caller may use (RLS: providers open to them, enabled, active) and the
// "may I use this provider?" answer, which says the same for unknown and forbidden ids.
import { Hono } from "hono";
import { type AuthEnv, userTx } from "../../_shared/auth.ts";
import { idParam } from "../../_shared/validate.ts";

export const modelRoutes = new Hono<AuthEnv>();

modelRoutes.get("/models", async (c) => {
  const rows = await userTx(c, (tx) => tx`
    select m.id, m.model_id, m.display_name, p.id as provider_id, p.name as provider_name, p.type as provider_type,
           m.context_window, m.max_output_tokens, m.capabilities, m.is_default,
           m.input_price_per_mtok::float8 as input_price_per_mtok, m.output_price_per_mtok::float8 as output_price_per_mtok
    from public.models m join public.providers p on p.id = m.provider_id
    where m.enabled and p.status = 'active' and 'chat' = any(p.features)
    order by m.is_default desc, m.sort_order, m.display_name`);
  return c.json({ data: rows });
});

modelRoutes.get("/providers/:id/access", async (c) => {
  const id = idParam(c);
  const [row] = await userTx(c, (tx) => tx<{ role: string | null }[]>`select app.provider_role(${id}) as role`);
  const role = row?.role ?? null;
  return c.json({ provider_id: id, allowed: role !== null, role });
});
