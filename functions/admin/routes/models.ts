// Admin: the models a tenant offers, their prices and the one default. Provider managers may
// edit the models of their providers; RLS decides which rows each caller sees and changes.
import { Hono } from "hono";
import { z } from "zod";
import { type AuthEnv, clientInfo, userTx } from "../../_shared/auth.ts";
import { audit } from "../../_shared/audit.ts";
import type { Tx } from "../../_shared/db.ts";
import { AppError } from "../../_shared/errors.ts";
import { idParam, readJson, readQuery } from "../../_shared/validate.ts";
import { modelCreate, modelUpdate } from "../../../shared/providers.ts";

export const modelRoutes = new Hono<AuthEnv>();

const columns = (tx: Tx) => tx`
  id, provider_id, model_id, display_name, deployment_name, context_window, max_output_tokens,
  input_price_per_mtok::float8 as input_price_per_mtok, output_price_per_mtok::float8 as output_price_per_mtok,
  capabilities, quirks, enabled, is_default, sort_order`;

async function managerOf(tx: Tx, providerId: string): Promise<void> {
  const [row] = await tx<{ role: string | null }[]>`select app.provider_role(${providerId}) as role`;
  if (row?.role !== "manager") throw new AppError("not_found", "No such provider.");
}

/** Setting the tenant default (admins only) first clears the old one: one default at most. */
async function clearDefault(tx: Tx, exceptId: string, role: string): Promise<void> {
  if (role !== "owner" && role !== "admin") {
    throw new AppError("forbidden", "Only admins choose the organisation's default model.", { code: "insufficient_role" });
  }
  await tx`update public.models set is_default = false, updated_at = now() where is_default and id <> ${exceptId}`;
}

modelRoutes.get("/models", async (c) => {
  const q = readQuery(c, z.strictObject({ provider_id: z.uuid().optional() }));
  const rows = await userTx(c, (tx) => tx`
    select ${columns(tx)} from public.models
    where app.provider_role(provider_id) = 'manager' ${q.provider_id ? tx`and provider_id = ${q.provider_id}` : tx``}
    order by sort_order, display_name`);
  return c.json({ data: rows });
});

modelRoutes.post("/models", async (c) => {
  const body = await readJson(c, modelCreate);
  const claims = c.var.claims;
  const row = await userTx(c, async (tx) => {
    await managerOf(tx, body.provider_id);
    const id = crypto.randomUUID();
    if (body.is_default) await clearDefault(tx, id, claims.app_role);
    const [created] = await tx`
      insert into public.models (id, tenant_id, provider_id, model_id, display_name, deployment_name, context_window,
        max_output_tokens, input_price_per_mtok, output_price_per_mtok, capabilities, quirks, enabled, is_default, sort_order)
      values (${id}, ${claims.tenant_id}, ${body.provider_id}, ${body.model_id}, ${body.display_name ?? body.model_id},
        ${body.deployment_name ?? null}, ${body.context_window}, ${body.max_output_tokens}, ${body.input_price_per_mtok},
        ${body.output_price_per_mtok}, ${body.capabilities}, ${tx.json(body.quirks)}, ${body.enabled}, ${body.is_default},
        ${body.sort_order})
      on conflict (provider_id, model_id) do nothing
      returning ${columns(tx)}`;
    if (!created) throw new AppError("conflict", "This provider already has that model.", { code: "model_exists", field: "model_id" });
    await audit(tx, { tenantId: claims.tenant_id, action: "model.created", targetType: "model", targetId: id,
      details: { model_id: body.model_id, provider_id: body.provider_id }, ...clientInfo(c) });
    return created;
  });
  return c.json(row, 201);
});

modelRoutes.patch("/models/:id", async (c) => {
  const id = idParam(c);
  const body = await readJson(c, modelUpdate);
  const claims = c.var.claims;
  const row = await userTx(c, async (tx) => {
    const [before] = await tx<{ provider_id: string }[]>`select provider_id from public.models where id = ${id}`;
    if (!before) throw new AppError("not_found", "No such model.");
    await managerOf(tx, before.provider_id);
    if (body.is_default) await clearDefault(tx, id, claims.app_role);
    const set = Object.fromEntries(Object.entries(body).filter(([, v]) => v !== undefined));
    const values = { ...set, ...(set.quirks ? { quirks: tx.json(set.quirks as Record<string, string>) } : {}), updated_at: new Date() };
    const [updated] = await tx`update public.models set ${tx(values)} where id = ${id} returning ${columns(tx)}`;
    await audit(tx, { tenantId: claims.tenant_id, action: "model.updated", targetType: "model", targetId: id,
      details: { fields: Object.keys(body) }, ...clientInfo(c) });
    return updated;
  });
  return c.json(row);
});

modelRoutes.delete("/models/:id", async (c) => {
  const id = idParam(c);
  const claims = c.var.claims;
  await userTx(c, async (tx) => {
    const [gone] = await tx<{ model_id: string }[]>`
      delete from public.models where id = ${id} and app.provider_role(provider_id) = 'manager' returning model_id`;
    if (!gone) throw new AppError("not_found", "No such model.");
    await audit(tx, { tenantId: claims.tenant_id, action: "model.deleted", targetType: "model", targetId: id,
      details: { model_id: gone.model_id }, ...clientInfo(c) });
  });
  return c.body(null, 204);
});
