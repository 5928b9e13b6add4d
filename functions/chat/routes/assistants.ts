// Chat: assistants, personal for every member and tenant-wide for admins to manage. RLS decides
// what each caller sees and may change; handlers turn a visible-but-not-yours row into a 403.
import { Hono } from "hono";
import { type AuthEnv, clientInfo, userTx } from "../../_shared/auth.ts";
import { audit } from "../../_shared/audit.ts";
import type { Tx } from "../../_shared/db.ts";
import { AppError } from "../../_shared/errors.ts";
import { idParam, readJson, readQuery } from "../../_shared/validate.ts";
import { type Assistant, assistantCreate, assistantUpdate, itemListQuery } from "../../../shared/assistants.ts";
import { assertMayWrite, type ItemKind, removeItem, scopeFilter, scopeOf } from "../owned-items.ts";

export const assistantRoutes = new Hono<AuthEnv>();

const kind: ItemKind = { table: "assistants", noun: "assistant", targetType: "assistant" };

const columns = (tx: Tx) => tx`
  id, case when owner_id is null then 'tenant' else 'personal' end as scope, owner_id, name, description, icon,
  system_prompt, model_id, temperature::float8 as temperature,
  coalesce((owner_id is null and app.has_role('admin')) or (owner_id = app.user_id() and app.has_role('member')), false) as editable,
  created_at, updated_at`;

/** The models policy shows a model only to callers whose provider access allows it. */
async function assertModelAllowed(tx: Tx, modelId: string): Promise<void> {
  const [visible] = await tx`select 1 from public.models where id = ${modelId}`;
  if (!visible) throw new AppError("forbidden", "You may not use that model.", { code: "model_not_allowed", field: "model_id" });
}

assistantRoutes.get("/assistants", async (c) => {
  const q = readQuery(c, itemListQuery);
  const rows = await userTx(c, (tx) => tx<Assistant[]>`
    select ${columns(tx)} from public.assistants
    where true ${scopeFilter(tx, q.scope)}
      ${q.cursor ? tx`and (name, id) > (select name, id from public.assistants where id = ${q.cursor})` : tx``}
    order by name, id limit ${q.limit + 1}`);
  const data = rows.slice(0, q.limit);
  return c.json({ data, next_cursor: rows.length > q.limit ? data.at(-1)!.id : null });
});

assistantRoutes.post("/assistants", async (c) => {
  const claims = c.var.claims;
  assertMayWrite(claims, "personal");
  const body = await readJson(c, assistantCreate);
  assertMayWrite(claims, body.scope);
  const row = await userTx(c, async (tx) => {
    if (body.model_id) await assertModelAllowed(tx, body.model_id);
    const [created] = await tx<Assistant[]>`
      insert into public.assistants (tenant_id, owner_id, name, description, icon, system_prompt, model_id, temperature)
      values (${claims.tenant_id}, ${body.scope === "personal" ? claims.sub : null}, ${body.name}, ${body.description},
        ${body.icon}, ${body.system_prompt}, ${body.model_id}, ${body.temperature})
      returning ${columns(tx)}`;
    if (body.scope === "tenant") {
      await audit(tx, { tenantId: claims.tenant_id, action: "assistant.created", targetType: "assistant", targetId: created!.id,
        details: { name: body.name }, ...clientInfo(c) });
    }
    return created!;
  });
  return c.json(row, 201);
});

assistantRoutes.get("/assistants/:id", async (c) => {
  const id = idParam(c);
  const [row] = await userTx(c, (tx) => tx<Assistant[]>`select ${columns(tx)} from public.assistants where id = ${id}`);
  if (!row) throw new AppError("not_found", "No such assistant.");
  return c.json(row);
});

assistantRoutes.patch("/assistants/:id", async (c) => {
  const claims = c.var.claims;
  assertMayWrite(claims, "personal");
  const id = idParam(c);
  const body = await readJson(c, assistantUpdate);
  const row = await userTx(c, async (tx) => {
    const scope = await scopeOf(tx, kind, id);
    assertMayWrite(claims, scope);
    if (body.model_id) await assertModelAllowed(tx, body.model_id);
    const set = Object.fromEntries(Object.entries(body).filter(([, v]) => v !== undefined));
    const [updated] = await tx<Assistant[]>`update public.assistants set ${tx(set)} where id = ${id} returning ${columns(tx)}`;
    if (!updated) throw new AppError("not_found", "No such assistant.");
    if (scope === "tenant") {
      await audit(tx, { tenantId: claims.tenant_id, action: "assistant.updated", targetType: "assistant", targetId: id,
        details: { fields: Object.keys(set) }, ...clientInfo(c) });
    }
    return updated;
  });
  return c.json(row);
});

assistantRoutes.delete("/assistants/:id", async (c) => {
  await removeItem(c, kind, idParam(c));
  return c.body(null, 204);
});
