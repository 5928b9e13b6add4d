// Admin: the caller's own tenant (name, settings) and, for platform superadmins, all tenants.
import { Hono } from "hono";
import type postgres from "postgres";
import { type AuthEnv, clientInfo, requireRole, requireSuperadmin, userTx } from "../../_shared/auth.ts";
import { audit } from "../../_shared/audit.ts";
import { AppError } from "../../_shared/errors.ts";
import { checkPasswordPolicy, hashPassword } from "../../_shared/password.ts";
import { idParam, likePattern, readJson, readQuery } from "../../_shared/validate.ts";
import { ownTenantUpdate, pageQuery, tenantCreate, tenantUpdate } from "../../../shared/admin.ts";

export const tenantRoutes = new Hono<AuthEnv>();

interface TenantRow {
  id: string;
  name: string;
  slug: string;
  max_users: number | null;
  active: boolean;
  settings: Record<string, unknown>;
  created_at: string;
  user_count?: number;
}

const columns = (sql: postgres.TransactionSql) => sql`id, name, slug, max_users, active, settings, created_at`;

tenantRoutes.get("/tenant", async (c) => {
  const [row] = await userTx(c, (tx) =>
    tx<TenantRow[]>`select ${columns(tx)} from public.tenants where id = ${c.var.claims.tenant_id}`);
  return c.json(row);
});

tenantRoutes.patch("/tenant", requireRole("admin"), async (c) => {
  const body = await readJson(c, ownTenantUpdate);
  const claims = c.var.claims;
  const row = await userTx(c, async (tx) => {
    const [updated] = await tx<TenantRow[]>`
      update public.tenants set
        name = coalesce(${body.name ?? null}, name),
        settings = coalesce(${body.settings ? tx.json(body.settings as postgres.JSONValue) : null}::jsonb, settings)
      where id = ${claims.tenant_id} returning ${columns(tx)}`;
    await audit(tx, { tenantId: claims.tenant_id, action: "tenant.updated", targetType: "tenant", targetId: claims.tenant_id,
      details: { fields: Object.keys(body) }, ...clientInfo(c) });
    return updated;
  });
  return c.json(row);
});

tenantRoutes.use("/tenants", requireSuperadmin());
tenantRoutes.use("/tenants/*", requireSuperadmin());

tenantRoutes.get("/tenants", async (c) => {
  const q = readQuery(c, pageQuery);
  const rows = await userTx(c, (tx) => tx<TenantRow[]>`
    select ${columns(tx)}, app.active_user_count(t.id) as user_count
    from public.tenants t
    where true
      ${q.search ? tx`and (name ilike ${likePattern(q.search)} or slug ilike ${likePattern(q.search)})` : tx``}
      ${q.cursor ? tx`and slug > ${q.cursor}` : tx``}
    order by slug limit ${q.limit + 1}`);
  const more = rows.length > q.limit;
  const data = rows.slice(0, q.limit);
  return c.json({ data, next_cursor: more ? data.at(-1)!.slug : null });
});

tenantRoutes.post("/tenants", async (c) => {
  const body = await readJson(c, tenantCreate);
  if (body.owner_password) {
    if (!body.owner_email) throw new AppError("validation_failed", "owner_email: required with owner_password", { field: "owner_email" });
    const problem = checkPasswordPolicy(body.owner_password, [body.owner_email]);
    if (problem) throw new AppError("validation_failed", problem.message, { code: problem.code, field: "owner_password" });
  }
  const hash = body.owner_password ? await hashPassword(body.owner_password) : null;
  const row = await userTx(c, async (tx) => {
    const [taken] = await tx`select 1 from public.tenants where slug = ${body.slug}`;
    if (taken) throw new AppError("conflict", "That slug is taken.", { code: "slug_taken", field: "slug" });
    const [tenant] = await tx<TenantRow[]>`
      insert into public.tenants (name, slug, max_users) values (${body.name}, ${body.slug}, ${body.max_users ?? null})
      returning ${columns(tx)}`;
    if (body.owner_email) {
      await tx`insert into public.users (tenant_id, email, role, password_hash)
               values (${tenant!.id}, ${body.owner_email}, 'owner', ${hash})`;
    }
    await audit(tx, { tenantId: tenant!.id, action: "tenant.created", targetType: "tenant", targetId: tenant!.id,
      details: { slug: body.slug, owner_email: body.owner_email ?? null }, ...clientInfo(c) });
    return tenant!;
  });
  return c.json(row, 201);
});

tenantRoutes.patch("/tenants/:id", async (c) => {
  const id = idParam(c);
  const body = await readJson(c, tenantUpdate);
  const row = await userTx(c, async (tx) => {
    const [updated] = await tx<TenantRow[]>`
      update public.tenants set
        name = coalesce(${body.name ?? null}, name),
        max_users = ${body.max_users === undefined ? tx`max_users` : body.max_users},
        active = coalesce(${body.active ?? null}, active),
        settings = coalesce(${body.settings ? tx.json(body.settings as postgres.JSONValue) : null}::jsonb, settings)
      where id = ${id} returning ${columns(tx)}`;
    if (!updated) throw new AppError("not_found", "No such organisation.");
    await audit(tx, { tenantId: id, action: body.active === false ? "tenant.deactivated" : "tenant.updated",
      targetType: "tenant", targetId: id, details: { fields: Object.keys(body) }, ...clientInfo(c) });
    return updated;
  });
  return c.json(row);
});
