// GET /usage: the caller's own tokens and cost by day and model.
import { Hono } from "hono";
import { type AuthEnv, userTx } from "../../_shared/auth.ts";
import { readQuery } from "../../_shared/validate.ts";
import { usageQuery } from "../../../shared/chat.ts";

export const usageRoutes = new Hono<AuthEnv>();

usageRoutes.get("/usage", async (c) => {
  const { days } = readQuery(c, usageQuery);
  const claims = c.var.claims;
  const rows = await userTx(c, (tx) => tx<{ day: string; model: string; requests: number; input_tokens: number; output_tokens: number; cost: number }[]>`
    select to_char(date_trunc('day', created_at at time zone 'utc'), 'YYYY-MM-DD') as day, model,
           count(*)::int as requests, sum(input_tokens)::int as input_tokens, sum(output_tokens)::int as output_tokens,
           sum(cost)::float8 as cost
    from public.usage_events
    where user_id = ${claims.sub} and created_at >= now() - make_interval(days => ${days})
    group by 1, 2 order by 1 desc, 2`);
  const total = rows.reduce(
    (t, r) => ({ requests: t.requests + r.requests, input_tokens: t.input_tokens + r.input_tokens,
      output_tokens: t.output_tokens + r.output_tokens, cost: t.cost + r.cost }),
    { requests: 0, input_tokens: 0, output_tokens: 0, cost: 0 },
  );
  return c.json({ days, total, data: rows });
});
