// Admin: teams of the tenant and their members (provider access, and later API keys and quotas).
import { Hono } from "hono";
import { type AuthEnv, clientInfo, requireRole, userTx } from "../../_shared/auth.ts";
import { audit } from "../../_shared/audit.ts";
import { AppError } from "../../_shared/errors.ts";
import { idParam, readJson } from "../../_shared/validate.ts";
import { teamCreate, teamMemberAdd, teamUpdate } from "../../../shared/teams.ts";

export const teamRoutes = new Hono<AuthEnv>();
teamRoutes.use("/teams", requireRole("admin"));
teamRoutes.use("/teams/*", requireRole("admin"));

teamRoutes.get("/teams", async (c) => {
  const rows = await userTx(c, (tx) => tx`
    select t.id, t.name, t.description, t.created_at,
           (select count(*)::int from public.team_members m where m.team_id = t.id) as member_count
    from public.teams t order by t.name`);
  return c.json({ data: rows });
});

teamRoutes.post("/teams", async (c) => {
  const body = await readJson(c, teamCreate);
  const claims = c.var.claims;
  const row = await userTx(c, async (tx) => {
    const [created] = await tx`
      insert into public.teams (tenant_id, name, description) values (${claims.tenant_id}, ${body.name}, ${body.description})
      on conflict (tenant_id, name) do nothing returning id, name, description, created_at`;
    if (!created) throw new AppError("conflict", "A team with this name exists.", { code: "name_taken", field: "name" });
    await audit(tx, { tenantId: claims.tenant_id, action: "team.created", targetType: "team", targetId: created.id as string, ...clientInfo(c) });
    return created;
  });
  return c.json(row, 201);
});

teamRoutes.patch("/teams/:id", async (c) => {
  const id = idParam(c);
  const body = await readJson(c, teamUpdate);
  const row = await userTx(c, async (tx) => {
    const [updated] = await tx`
      update public.teams set name = coalesce(${body.name ?? null}, name), description = coalesce(${body.description ?? null}, description),
        updated_at = now() where id = ${id} returning id, name, description, created_at`;
    if (!updated) throw new AppError("not_found", "No such team.");
    return updated;
  });
  return c.json(row);
});

teamRoutes.delete("/teams/:id", async (c) => {
  const id = idParam(c);
  const claims = c.var.claims;
  await userTx(c, async (tx) => {
    const gone = await tx`delete from public.teams where id = ${id} returning id`;
    if (gone.length === 0) throw new AppError("not_found", "No such team.");
    await audit(tx, { tenantId: claims.tenant_id, action: "team.deleted", targetType: "team", targetId: id, ...clientInfo(c) });
  });
  return c.body(null, 204);
});

teamRoutes.get("/teams/:id/members", async (c) => {
  const id = idParam(c);
  const rows = await userTx(c, async (tx) => {
    const [team] = await tx`select 1 from public.teams where id = ${id}`;
    if (!team) throw new AppError("not_found", "No such team.");
    return tx`select u.id, u.email, u.display_name from public.team_members m join public.users u on u.id = m.user_id
              where m.team_id = ${id} order by u.email`;
  });
  return c.json({ data: rows });
});

teamRoutes.post("/teams/:id/members", async (c) => {
  const id = idParam(c);
  const body = await readJson(c, teamMemberAdd);
  const claims = c.var.claims;
  await userTx(c, async (tx) => {
    const [team] = await tx`select 1 from public.teams where id = ${id}`;
    const [user] = await tx`select 1 from public.users where id = ${body.user_id}`;
    if (!team || !user) throw new AppError("not_found", team ? "No such user in your organisation." : "No such team.");
    await tx`insert into public.team_members (tenant_id, team_id, user_id) values (${claims.tenant_id}, ${id}, ${body.user_id})
             on conflict do nothing`;
    await audit(tx, { tenantId: claims.tenant_id, action: "team.member_added", targetType: "team", targetId: id,
      details: { user_id: body.user_id }, ...clientInfo(c) });
  });
  return c.body(null, 204);
});

teamRoutes.delete("/teams/:id/members/:userId", async (c) => {
  const id = idParam(c);
  const userId = idParam(c, "userId");
  const claims = c.var.claims;
  await userTx(c, async (tx) => {
    const gone = await tx`delete from public.team_members where team_id = ${id} and user_id = ${userId} returning user_id`;
    if (gone.length === 0) throw new AppError("not_found", "That user is not in this team.");
    await audit(tx, { tenantId: claims.tenant_id, action: "team.member_removed", targetType: "team", targetId: id,
      details: { user_id: userId }, ...clientInfo(c) });
  });
  return c.body(null, 204);
});
