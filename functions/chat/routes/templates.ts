// Chat: the prompt library. Personal and tenant-wide templates with {{variables}}, ranked
// full-text search, rendering, and the enhancement prompt flag (one tenant-wide, one per user).
import { Hono } from "hono";
import { type AuthEnv, clientInfo, userTx } from "../../_shared/auth.ts";
import { audit } from "../../_shared/audit.ts";
import type { Tx } from "../../_shared/db.ts";
import { AppError } from "../../_shared/errors.ts";
import { renderTemplate, templateVariables } from "../../_shared/templates.ts";
import { idParam, readJson, readQuery } from "../../_shared/validate.ts";
import { type Template, templateCreate, templateListQuery, templateRender, templateUpdate } from "../../../shared/templates.ts";
import { assertMayWrite, type ItemKind, removeItem, scopeFilter, scopeOf } from "../owned-items.ts";

export const templateRoutes = new Hono<AuthEnv>();

type Row = Omit<Template, "variables">;

const columns = (tx: Tx) => tx`
  id, case when owner_id is null then 'tenant' else 'personal' end as scope, owner_id, name, title, content, category,
  tags, is_enhancement,
  coalesce((owner_id is null and app.has_role('admin')) or (owner_id = app.user_id() and app.has_role('member')), false) as editable,
  created_at, updated_at`;

const withVariables = (row: Row): Template => ({ ...row, variables: templateVariables(row.content) });

/** Unique violations of this table, as the 409 that names the field. */
async function uniquely<T>(write: Promise<T>): Promise<T> {
  try {
    return await write;
  } catch (err) {
    const constraint = (err as { code?: unknown; constraint_name?: unknown }).code === "23505"
      ? String((err as { constraint_name?: unknown }).constraint_name)
      : "";
    if (constraint === "prompt_templates_name_key") {
      throw new AppError("conflict", "A template with this name exists in your organisation.", { code: "name_taken", field: "name" });
    }
    if (constraint.startsWith("prompt_templates_one_")) {
      throw new AppError(
        "conflict",
        constraint.includes("tenant")
          ? "Your organisation already has an enhancement prompt; unset it first."
          : "You already have an enhancement prompt; unset it first.",
        { code: "enhancement_exists", field: "is_enhancement" },
      );
    }
    throw err;
  }
}

const kind: ItemKind = { table: "prompt_templates", noun: "template", targetType: "prompt_template" };

templateRoutes.get("/templates", async (c) => {
  const q = readQuery(c, templateListQuery);
  if (q.q && q.cursor) {
    throw new AppError("validation_failed", "cursor: search results are ranked, not paged; narrow the search instead.", { field: "cursor" });
  }
  const rows = await userTx(c, (tx) => tx<(Row & { rank?: number })[]>`
    select ${columns(tx)} ${q.q ? tx`, ts_rank(search, query)::float8 as rank` : tx``}
    from public.prompt_templates ${q.q ? tx`, websearch_to_tsquery('simple', ${q.q}) as query` : tx``}
    where true ${scopeFilter(tx, q.scope)}
      ${q.q ? tx`and search @@ query` : tx``}
      ${q.category ? tx`and category = ${q.category}` : tx``}
      ${q.tag ? tx`and tags @> array[${q.tag}]::text[]` : tx``}
      ${q.cursor ? tx`and name > (select name from public.prompt_templates where id = ${q.cursor})` : tx``}
    order by ${q.q ? tx`rank desc,` : tx``} name
    limit ${q.limit + 1}`);
  const data = rows.slice(0, q.limit).map(withVariables);
  return c.json({ data, next_cursor: !q.q && rows.length > q.limit ? data.at(-1)!.id : null });
});

templateRoutes.post("/templates", async (c) => {
  const claims = c.var.claims;
  assertMayWrite(claims, "personal");
  const body = await readJson(c, templateCreate);
  assertMayWrite(claims, body.scope);
  const row = await userTx(c, async (tx) => {
    const [created] = await uniquely(tx<Row[]>`
      insert into public.prompt_templates (tenant_id, owner_id, name, title, content, category, tags, is_enhancement)
      values (${claims.tenant_id}, ${body.scope === "personal" ? claims.sub : null}, ${body.name}, ${body.title ?? body.name},
        ${body.content}, ${body.category}, ${body.tags}, ${body.is_enhancement})
      returning ${columns(tx)}`);
    if (body.scope === "tenant") {
      await audit(tx, { tenantId: claims.tenant_id, action: "template.created", targetType: "prompt_template", targetId: created!.id,
        details: { name: body.name, is_enhancement: body.is_enhancement }, ...clientInfo(c) });
    }
    return created!;
  });
  return c.json(withVariables(row), 201);
});

templateRoutes.get("/templates/:id", async (c) => {
  const id = idParam(c);
  const [row] = await userTx(c, (tx) => tx<Row[]>`select ${columns(tx)} from public.prompt_templates where id = ${id}`);
  if (!row) throw new AppError("not_found", "No such template.");
  return c.json(withVariables(row));
});

templateRoutes.patch("/templates/:id", async (c) => {
  const claims = c.var.claims;
  assertMayWrite(claims, "personal");
  const id = idParam(c);
  const body = await readJson(c, templateUpdate);
  const row = await userTx(c, async (tx) => {
    const scope = await scopeOf(tx, kind, id);
    assertMayWrite(claims, scope);
    const set = Object.fromEntries(Object.entries(body).filter(([, v]) => v !== undefined));
    const [updated] = await uniquely(tx<Row[]>`
      update public.prompt_templates set ${tx(set)} where id = ${id} returning ${columns(tx)}`);
    if (!updated) throw new AppError("not_found", "No such template.");
    if (scope === "tenant") {
      await audit(tx, { tenantId: claims.tenant_id, action: "template.updated", targetType: "prompt_template", targetId: id,
        details: { fields: Object.keys(set) }, ...clientInfo(c) });
    }
    return updated;
  });
  return c.json(withVariables(row));
});

templateRoutes.delete("/templates/:id", async (c) => {
  await removeItem(c, kind, idParam(c));
  return c.body(null, 204);
});

/** Reading is enough to render: readonly users use templates too. */
templateRoutes.post("/templates/:id/render", async (c) => {
  const id = idParam(c);
  const body = await readJson(c, templateRender);
  const [row] = await userTx(c, (tx) => tx<{ content: string }[]>`select content from public.prompt_templates where id = ${id}`);
  if (!row) throw new AppError("not_found", "No such template.");
  return c.json(renderTemplate(row.content, body.variables));
});
