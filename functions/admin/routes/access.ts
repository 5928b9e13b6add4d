// Admin: who may use a restricted provider — grants to users or teams as `user` or `manager`.
import { Hono } from "hono";
import { type AuthEnv, clientInfo, requireRole, userTx } from "../../_shared/auth.ts";
import { audit } from "../../_shared/audit.ts";
import { AppError } from "../../_shared/errors.ts";
import { getProvider } from "../../_shared/provider-store.ts";
import { idParam, readJson } from "../../_shared/validate.ts";
import { accessGrant } from "../../../shared/providers.ts";

export const accessRoutes = new Hono<AuthEnv>();
accessRoutes.use("/providers/*", requireRole("admin"));

accessRoutes.get("/providers/:id/access", async (c) => {
  const id = idParam(c);
  const rows = await userTx(c, async (tx) => {
    await getProvider(tx, id);
    return tx`
      select a.id, a.user_id, a.team_id, a.role, u.email as user_email, t.name as team_name, a.created_at
      from public.provider_access a
      left join public.users u on u.id = a.user_id
      left join public.teams t on t.id = a.team_id
      where a.provider_id = ${id} and app.provider_role(${id}) = 'manager'
      order by a.created_at`;
  });
  return c.json({ data: rows });
});

accessRoutes.post("/providers/:id/access", async (c) => {
  const id = idParam(c);
  const body = await readJson(c, accessGrant);
  const claims = c.var.claims;
  const row = await userTx(c, async (tx) => {
    await getProvider(tx, id);
    const [target] = body.user_id
      ? await tx`select id from public.users where id = ${body.user_id}`
      : await tx`select id from public.teams where id = ${body.team_id!}`;
    if (!target) throw new AppError("not_found", body.user_id ? "No such user in your organisation." : "No such team.");
    const [granted] = await tx`
      insert into public.provider_access (tenant_id, provider_id, user_id, team_id, role)
      values (${claims.tenant_id}, ${id}, ${body.user_id ?? null}, ${body.team_id ?? null}, ${body.role})
      on conflict (provider_id, ${body.user_id ? tx`user_id` : tx`team_id`}) do update set role = excluded.role
      returning id, user_id, team_id, role`;
    await audit(tx, { tenantId: claims.tenant_id, action: "provider.access_granted", targetType: "provider", targetId: id,
      details: { user_id: body.user_id ?? null, team_id: body.team_id ?? null, role: body.role }, ...clientInfo(c) });
    return granted;
  });
  return c.json(row, 201);
});

accessRoutes.delete("/providers/:id/access/:accessId", async (c) => {
  const id = idParam(c);
  const accessId = idParam(c, "accessId");
  const claims = c.var.claims;
  await userTx(c, async (tx) => {
    const gone = await tx`delete from public.provider_access where id = ${accessId} and provider_id = ${id} returning id`;
    if (gone.length === 0) throw new AppError("not_found", "No such grant.");
    await audit(tx, { tenantId: claims.tenant_id, action: "provider.access_revoked", targetType: "provider", targetId: id,
      details: { access_id: accessId }, ...clientInfo(c) });
  });
  return c.body(null, 204);
});
