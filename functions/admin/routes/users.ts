// Admin: the users of the caller's tenant. RLS confines every query to that tenant; the
// users trigger enforces self-change, owner-only and last-owner rules and max_users.
import { Hono } from "hono";
import type postgres from "postgres";
import { type AuthEnv, clientInfo, requireRole, userTx } from "../../_shared/auth.ts";
import { audit } from "../../_shared/audit.ts";
import { AppError } from "../../_shared/errors.ts";
import { checkPasswordPolicy, hashPassword } from "../../_shared/password.ts";
import { idParam, likePattern, readJson, readQuery } from "../../_shared/validate.ts";
import { type AdminUser, pageQuery, userCreate, userUpdate } from "../../../shared/admin.ts";

export const userRoutes = new Hono<AuthEnv>();
userRoutes.use("/users", requireRole("admin"));
userRoutes.use("/users/*", requireRole("admin"));

const columns = (sql: postgres.TransactionSql) => sql`
  id, email, display_name, role, active, sso_subject is not null as sso_linked,
  last_login_at, created_at`;

userRoutes.get("/users", async (c) => {
  const q = readQuery(c, pageQuery);
  const rows = await userTx(c, (tx) => tx<AdminUser[]>`
    select ${columns(tx)} from public.users
    where true
      ${q.search ? tx`and (email ilike ${likePattern(q.search)} or display_name ilike ${likePattern(q.search)})` : tx``}
      ${q.cursor ? tx`and email > ${q.cursor}` : tx``}
    order by email limit ${q.limit + 1}`);
  const more = rows.length > q.limit;
  const data = rows.slice(0, q.limit);
  return c.json({ data, next_cursor: more ? data.at(-1)!.email : null });
});

userRoutes.get("/users/:id", async (c) => {
  const id = idParam(c);
  const [row] = await userTx(c, (tx) => tx<AdminUser[]>`select ${columns(tx)} from public.users where id = ${id}`);
  if (!row) throw new AppError("not_found", "No such user in your organisation.");
  return c.json(row);
});

userRoutes.post("/users", async (c) => {
  const body = await readJson(c, userCreate);
  if (body.password) {
    const problem = checkPasswordPolicy(body.password, [body.email, body.email.split("@")[0]!]);
    if (problem) throw new AppError("validation_failed", problem.message, { code: problem.code, field: "password" });
  }
  const hash = body.password ? await hashPassword(body.password) : null;
  const claims = c.var.claims;
  const row = await userTx(c, async (tx) => {
    const [exists] = await tx`select 1 from public.users where email = ${body.email}`;
    if (exists) throw new AppError("conflict", "A user with this email already exists here.", { code: "email_taken", field: "email" });
    const [created] = await tx<AdminUser[]>`
      insert into public.users (tenant_id, email, display_name, role, password_hash)
      values (${claims.tenant_id}, ${body.email}, ${body.display_name}, ${body.role}, ${hash})
      returning ${columns(tx)}`;
    await audit(tx, { tenantId: claims.tenant_id, action: "user.created", targetType: "user", targetId: created!.id,
      details: { email: body.email, role: body.role, invited: !hash }, ...clientInfo(c) });
    return created!;
  });
  return c.json(row, 201);
});

userRoutes.patch("/users/:id", async (c) => {
  const id = idParam(c);
  const body = await readJson(c, userUpdate);
  const claims = c.var.claims;
  const row = await userTx(c, async (tx) => {
    const [before] = await tx<AdminUser[]>`select ${columns(tx)} from public.users where id = ${id} for update`;
    if (!before) throw new AppError("not_found", "No such user in your organisation.");
    const [after] = await tx<AdminUser[]>`
      update public.users set
        display_name = ${body.display_name ?? before.display_name},
        role = ${body.role ?? before.role},
        active = ${body.active ?? before.active}
      where id = ${id} returning ${columns(tx)}`;
    const events: Array<[string, Record<string, unknown>]> = [];
    if (after!.role !== before.role) events.push(["user.role_changed", { from: before.role, to: after!.role }]);
    if (after!.active !== before.active) events.push([after!.active ? "user.activated" : "user.deactivated", {}]);
    for (const [action, details] of events) {
      await audit(tx, { tenantId: claims.tenant_id, action, targetType: "user", targetId: id, details, ...clientInfo(c) });
    }
    return after!;
  });
  return c.json(row);
});

userRoutes.delete("/users/:id", async (c) => {
  const id = idParam(c);
  const claims = c.var.claims;
  await userTx(c, async (tx) => {
    const [gone] = await tx<{ email: string }[]>`delete from public.users where id = ${id} returning email`;
    if (!gone) throw new AppError("not_found", "No such user in your organisation.");
    await audit(tx, { tenantId: claims.tenant_id, action: "user.deleted", targetType: "user", targetId: id,
      details: { email: gone.email }, ...clientInfo(c) });
  });
  return c.body(null, 204);
});
