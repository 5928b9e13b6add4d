// The role matrix over HTTP (who reaches which admin endpoint), the rules the users trigger
// keeps (owner-only, self-change, last owner, max_users), deactivation of users and tenants,
// and what a member may change about themselves in SQL.
import { randomUUID } from "node:crypto";
import { decodeJwt } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Claims, closeDb, withClaims } from "../../functions/_shared/db.ts";
import { errorCatalog, type ErrorFamily } from "../../shared/errors.ts";
import { addUser, login, type Persona, signupOwner, strongPassword } from "../support/personas.ts";
import { api, type ApiResponse, errorCode, rootSql } from "../support/stack.ts";

type Role = Persona["role"];
const sql = rootSql();
const tag = () => randomUUID().slice(0, 8);

afterAll(async () => {
  await closeDb();
});

function expectError(res: ApiResponse, family: ErrorFamily, code: string): void {
  expect({ status: res.status, code: errorCode(res) }).toEqual({ status: errorCatalog[family].status, code });
  expect(res.body).toMatchObject({ error: { type: errorCatalog[family].type } });
}

/** The claims the server would set for this persona's access token. */
function claimsOf(p: Persona): Claims {
  const t = decodeJwt(p.token);
  return {
    sub: String(t.sub), tenant_id: String(t.tenant_id), app_role: t.app_role as Role, sid: String(t.sid),
    email: String(t.email), role: "authenticated", ...(t.superadmin ? { superadmin: true } : {}),
  };
}

/** SQLSTATE and hint of a statement run as the persona, or the rows it returned. */
async function asUser(p: Persona, fn: Parameters<typeof withClaims>[1]): Promise<{ rows: number } | { code: string; hint?: string }> {
  try {
    const rows = (await withClaims(claimsOf(p), fn)) as readonly unknown[];
    return { rows: rows.length };
  } catch (err) {
    const e = err as { code?: string; hint?: string };
    if (!e.code) throw err;
    return e.hint ? { code: e.code, hint: e.hint } : { code: e.code };
  }
}

/** Users, tenant row and audit count of a tenant: what a refused request must leave alone. */
async function tenantState(tenantId: string): Promise<unknown> {
  const [state] = await sql<{ state: unknown }[]>`
    select jsonb_build_object(
      'users', (select jsonb_agg(to_jsonb(u) - 'last_login_at' order by u.id) from public.users u where u.tenant_id = ${tenantId}),
      'tenant', (select to_jsonb(t) from public.tenants t where t.id = ${tenantId}),
      'audit', (select count(*) from public.audit_log l where l.tenant_id = ${tenantId})) as state`;
  return state!.state;
}

async function userRow(id: string): Promise<{ role: Role; active: boolean; display_name: string } | undefined> {
  const [row] = await sql<{ role: Role; active: boolean; display_name: string }[]>`
    select role, active, display_name from public.users where id = ${id}`;
  return row;
}

/** A plain member of the tenant, made as the superuser, for requests to act on. */
async function makeTarget(tenantId: string): Promise<{ id: string; email: string }> {
  const email = `target-${tag()}@example.test`;
  const [row] = await sql<{ id: string }[]>`
    insert into public.users (tenant_id, email, display_name, role) values (${tenantId}, ${email}, 'Target', 'member')
    returning id`;
  return { id: row!.id, email };
}

async function makeSuperadmin(p: Persona): Promise<Persona> {
  await sql`update public.users set superadmin = true where id = ${p.id}`;
  return login(p.email, p.password, p.tenantSlug);
}

// Section: the matrix

let ada: Persona; // owner of Acme
const acme: Record<Role, Persona> = {} as Record<Role, Persona>;

beforeAll(async () => {
  ada = await signupOwner("Acme", "ada");
  const [adam, mia, rita] = await Promise.all([
    addUser(ada, "admin", "adam"),
    addUser(ada, "member", "mia"),
    addUser(ada, "readonly", "rita"),
  ]);
  Object.assign(acme, { owner: ada, admin: adam, member: mia, readonly: rita });
});

interface MatrixRow {
  endpoint: string;
  allowed: readonly Role[];
  /** Code for the roles not allowed. */
  refusal: "insufficient_role" | "superadmin_only";
  call(p: Persona, target: { id: string; email: string }): Promise<ApiResponse>;
}

const admins: readonly Role[] = ["owner", "admin"];
const everyone: readonly Role[] = ["owner", "admin", "member", "readonly"];

const matrix: MatrixRow[] = [
  { endpoint: "GET /admin/users", allowed: admins, refusal: "insufficient_role", call: (p) => api("/admin/users", { token: p.token }) },
  {
    endpoint: "POST /admin/users",
    allowed: admins,
    refusal: "insufficient_role",
    call: (p) => api("/admin/users", { token: p.token, json: { email: `new-${tag()}@example.test`, role: "readonly" } }),
  },
  { endpoint: "GET /admin/users/:id", allowed: admins, refusal: "insufficient_role", call: (p, t) => api(`/admin/users/${t.id}`, { token: p.token }) },
  {
    endpoint: "PATCH /admin/users/:id",
    allowed: admins,
    refusal: "insufficient_role",
    call: (p, t) => api(`/admin/users/${t.id}`, { token: p.token, method: "PATCH", json: { display_name: "Changed", role: "readonly" } }),
  },
  {
    endpoint: "DELETE /admin/users/:id",
    allowed: admins,
    refusal: "insufficient_role",
    call: (p, t) => api(`/admin/users/${t.id}`, { token: p.token, method: "DELETE" }),
  },
  { endpoint: "GET /admin/tenant", allowed: everyone, refusal: "insufficient_role", call: (p) => api("/admin/tenant", { token: p.token }) },
  {
    endpoint: "PATCH /admin/tenant",
    allowed: admins,
    refusal: "insufficient_role",
    call: (p) => api("/admin/tenant", { token: p.token, method: "PATCH", json: { name: `Acme ${tag()}` } }),
  },
  { endpoint: "GET /admin/tenants", allowed: [], refusal: "superadmin_only", call: (p) => api("/admin/tenants", { token: p.token }) },
  {
    endpoint: "POST /admin/tenants",
    allowed: [],
    refusal: "superadmin_only",
    call: (p) => api("/admin/tenants", { token: p.token, json: { name: "Rogue", slug: `rogue-${tag()}` } }),
  },
  {
    endpoint: "PATCH /admin/tenants/:id",
    allowed: [],
    refusal: "superadmin_only",
    call: (p) => api(`/admin/tenants/${p.tenantId}`, { token: p.token, method: "PATCH", json: { max_users: 1000, active: true } }),
  },
];

describe("the role matrix", () => {
  for (const row of matrix) {
    for (const role of everyone) {
      const allowed = row.allowed.includes(role);
      it(`${row.endpoint} as ${role}: ${allowed ? "allowed" : row.refusal}`, async () => {
        const p = acme[role];
        const target = await makeTarget(p.tenantId);
        const before = await tenantState(p.tenantId);
        const res = await row.call(p, target);
        if (allowed) {
          expect(res.status, res.text).toBeGreaterThanOrEqual(200);
          expect(res.status, res.text).toBeLessThan(300);
        } else {
          expectError(res, "forbidden", row.refusal);
          // Nothing written: not in the tenant, and (for POST /admin/tenants) no new tenant of that name.
          expect(await tenantState(p.tenantId)).toEqual(before);
          const [rogue] = await sql<{ n: number }[]>`select count(*)::int as n from public.tenants where name = 'Rogue'`;
          expect(rogue?.n).toBe(0);
        }
      });
    }
  }
});

describe("readonly and member in SQL", () => {
  for (const role of ["member", "readonly"] as const) {
    it(`a ${role} cannot add users, change others or the tenant`, async () => {
      const p = acme[role];
      const before = await tenantState(p.tenantId);
      expect(await asUser(p, (tx) => tx`insert into public.users (tenant_id, email, role)
        values (${p.tenantId}, ${`sneaky-${tag()}@example.test`}, 'member') returning id`)).toEqual({ code: "42501" });
      expect(await asUser(p, (tx) => tx`update public.users set display_name = 'Changed' where id = ${ada.id} returning id`))
        .toEqual({ rows: 0 });
      expect(await asUser(p, (tx) => tx`delete from public.users where id <> ${p.id} returning id`)).toEqual({ rows: 0 });
      expect(await asUser(p, (tx) => tx`update public.tenants set name = 'Changed' returning id`)).toEqual({ rows: 0 });
      expect(await tenantState(p.tenantId)).toEqual(before);
    });

    it(`a ${role} can change their own display_name but not their own role, status or email`, async () => {
      const p = acme[role];
      const name = `Renamed ${tag()}`;
      expect(await asUser(p, (tx) => tx`update public.users set display_name = ${name} where id = ${p.id} returning id`))
        .toEqual({ rows: 1 });
      expect((await userRow(p.id))?.display_name).toBe(name);
      const me = await api<{ user: { display_name: string } }>("/auth/me", { token: p.token });
      expect(me.body.user.display_name).toBe(name);
      const changes: Array<Record<string, string | boolean>> = [
        { role: "admin" }, { role: "owner" }, { active: false }, { email: `other-${tag()}@example.test` },
      ];
      for (const change of changes) {
        const res = await asUser(p, (tx) => tx`update public.users set ${tx(change as Record<string, never>)} where id = ${p.id} returning id`);
        expect(res, JSON.stringify(change)).toEqual({ code: "AT403", hint: "forbidden" });
      }
      expect(await userRow(p.id)).toMatchObject({ role, active: true });
      // Nor the columns that are never the request role's to write.
      expect(await asUser(p, (tx) => tx`update public.users set superadmin = true where id = ${p.id} returning id`))
        .toEqual({ code: "42501" });
      expect(await asUser(p, (tx) => tx`update public.users set password_hash = 'x' where id = ${p.id} returning id`))
        .toEqual({ code: "42501" });
    });
  }
});

// Section: rules on owners and on oneself

describe("owner-only", () => {
  it("an admin cannot create an owner, promote anyone to owner, or change, deactivate or delete an owner", async () => {
    const adam = acme.admin;
    const target = await makeTarget(ada.tenantId);
    const before = await tenantState(ada.tenantId);
    const attempts: Array<() => Promise<ApiResponse>> = [
      () => api("/admin/users", { token: adam.token, json: { email: `boss-${tag()}@example.test`, role: "owner" } }),
      () => api(`/admin/users/${target.id}`, { token: adam.token, method: "PATCH", json: { role: "owner" } }),
      () => api(`/admin/users/${adam.id}`, { token: adam.token, method: "PATCH", json: { role: "owner" } }),
      () => api(`/admin/users/${ada.id}`, { token: adam.token, method: "PATCH", json: { display_name: "Demoted" } }),
      () => api(`/admin/users/${ada.id}`, { token: adam.token, method: "PATCH", json: { role: "admin" } }),
      () => api(`/admin/users/${ada.id}`, { token: adam.token, method: "PATCH", json: { active: false } }),
      () => api(`/admin/users/${ada.id}`, { token: adam.token, method: "DELETE" }),
    ];
    for (const call of attempts) expectError(await call(), "forbidden", "owner_only");
    expect(await tenantState(ada.tenantId)).toEqual(before);
  });

  it("an owner can create another owner", async () => {
    const res = await api<{ role: Role }>("/admin/users", {
      token: ada.token,
      json: { email: `co-owner-${tag()}@example.test`, role: "owner", password: strongPassword() },
    });
    expect(res.status).toBe(201);
    expect(res.body.role).toBe("owner");
  });
});

describe("self-change", () => {
  for (const role of admins) {
    it(`a ${role} cannot demote, deactivate or delete themselves`, async () => {
      const p = acme[role];
      const before = await tenantState(p.tenantId);
      for (const json of [{ role: "member" }, { role: "readonly" }, { active: false }]) {
        expectError(await api(`/admin/users/${p.id}`, { token: p.token, method: "PATCH", json }), "forbidden", "self_change");
      }
      expectError(await api(`/admin/users/${p.id}`, { token: p.token, method: "DELETE" }), "forbidden", "self_change");
      expect(await tenantState(p.tenantId)).toEqual(before);
      expect((await api("/auth/me", { token: p.token })).status).toBe(200);
    });
  }

  it("a member cannot deactivate or delete themselves in SQL either", async () => {
    const mia = acme.member;
    expect(await asUser(mia, (tx) => tx`update public.users set active = false where id = ${mia.id} returning id`))
      .toEqual({ code: "AT403", hint: "forbidden" });
    expect(await asUser(mia, (tx) => tx`delete from public.users where id = ${mia.id} returning id`)).toEqual({ rows: 0 });
    expect(await userRow(mia.id)).toMatchObject({ active: true, role: "member" });
  });
});

describe("the last owner", () => {
  it("cannot be demoted, deactivated or deleted, even by a superadmin of the same tenant", async () => {
    const olga = await signupOwner("Initech", "olga");
    const ottoPassword = strongPassword();
    const ottoEmail = `otto-${tag()}@example.test`;
    const made = await api<{ id: string }>("/admin/users", {
      token: olga.token,
      json: { email: ottoEmail, role: "owner", password: ottoPassword },
    });
    expect(made.status).toBe(201);
    const otto = await login(ottoEmail, ottoPassword, olga.tenantSlug);
    const sam = await makeSuperadmin(await addUser(olga, "admin", "sam"));

    // Two owners: one may demote the other.
    const demoted = await api<{ role: Role }>(`/admin/users/${olga.id}`, { token: otto.token, method: "PATCH", json: { role: "admin" } });
    expect(demoted.status).toBe(200);
    expect(demoted.body.role).toBe("admin");

    // Otto is now the last owner. (Olga signs in again first: sign-in touches her row.)
    const olgaAgain = await login(olga.email, olga.password, olga.tenantSlug);
    expect(olgaAgain.role).toBe("admin");
    const before = await tenantState(otto.tenantId);
    for (const json of [{ role: "admin" }, { role: "readonly" }, { active: false }]) {
      expectError(await api(`/admin/users/${otto.id}`, { token: sam.token, method: "PATCH", json }), "conflict", "last_owner");
    }
    expectError(await api(`/admin/users/${otto.id}`, { token: sam.token, method: "DELETE" }), "conflict", "last_owner");
    // Olga, signed in again as the admin she now is, meets the owner-only rule first.
    expectError(await api(`/admin/users/${otto.id}`, { token: olgaAgain.token, method: "PATCH", json: { role: "admin" } }), "forbidden", "owner_only");
    // Otto himself meets the self-change rule.
    expectError(await api(`/admin/users/${otto.id}`, { token: otto.token, method: "PATCH", json: { role: "admin" } }), "forbidden", "self_change");
    expect(await tenantState(otto.tenantId)).toEqual(before);
    expect(await userRow(otto.id)).toMatchObject({ role: "owner", active: true });
  });
});

// Section: limits and deactivation

describe("max_users", () => {
  it("is set by a superadmin and enforced on create and on reactivation", async () => {
    const hana = await signupOwner("Hooli", "hana");
    const sueOld = await signupOwner("Platform", "sue");
    await sql`update public.users set superadmin = true where id = ${sueOld.id}`;
    // The flag reaches the token at the next sign-in, not before.
    expectError(await api("/admin/tenants", { token: sueOld.token }), "forbidden", "superadmin_only");
    const sue = await login(sueOld.email, sueOld.password, sueOld.tenantSlug);

    // A tenant admin cannot lift its own limit, over HTTP or in SQL.
    const own = await api("/admin/tenant", { token: hana.token, method: "PATCH", json: { max_users: 1000 } });
    expectError(own, "validation_failed", "validation_failed");
    expect((own.body as { error: { field?: string } }).error.field).toBe("max_users");
    expect(await asUser(hana, (tx) => tx`update public.tenants set max_users = 1000 where id = ${hana.tenantId} returning id`))
      .toEqual({ code: "AT403", hint: "superadmin_only" });

    const set = await api<{ max_users: number }>(`/admin/tenants/${hana.tenantId}`, {
      token: sue.token,
      method: "PATCH",
      json: { max_users: 2 },
    });
    expect(set.status).toBe(200);
    expect(set.body.max_users).toBe(2);

    const second = await addUser(hana, "member", "second");
    const countUsers = async () =>
      (await sql<{ n: number }[]>`select count(*)::int as n from public.users where tenant_id = ${hana.tenantId}`)[0]!.n;
    const before = await countUsers();
    const third = await api("/admin/users", { token: hana.token, json: { email: `third-${tag()}@example.test`, password: strongPassword() } });
    expectError(third, "conflict", "max_users_reached");
    expect(await countUsers()).toBe(before);

    // Deactivating frees a place; reactivating when it is taken again is refused.
    expect((await api(`/admin/users/${second.id}`, { token: hana.token, method: "PATCH", json: { active: false } })).status).toBe(200);
    expect((await api("/admin/users", { token: hana.token, json: { email: `fourth-${tag()}@example.test` } })).status).toBe(201);
    const back = await api(`/admin/users/${second.id}`, { token: hana.token, method: "PATCH", json: { active: true } });
    expectError(back, "conflict", "max_users_reached");
    expect(await userRow(second.id)).toMatchObject({ active: false });

    // Lifting the limit lets them back in.
    expect((await api(`/admin/tenants/${hana.tenantId}`, { token: sue.token, method: "PATCH", json: { max_users: null } })).status).toBe(200);
    expect((await api(`/admin/users/${second.id}`, { token: hana.token, method: "PATCH", json: { active: true } })).status).toBe(200);
  });
});

describe("deactivating a user", () => {
  it("ends every session at once: access tokens get session_revoked, refresh tokens and sign-in fail", async () => {
    const dora = await addUser(ada, "member", "dora");
    const laptop = await login(dora.email, dora.password, dora.tenantSlug);
    expect((await api("/auth/me", { token: dora.token })).status).toBe(200);

    const res = await api<{ active: boolean }>(`/admin/users/${dora.id}`, { token: ada.token, method: "PATCH", json: { active: false } });
    expect(res.status).toBe(200);
    expect(res.body.active).toBe(false);

    for (const session of [dora, laptop]) {
      expectError(await api("/auth/me", { token: session.token }), "unauthorized", "session_revoked");
      expectError(await api("/auth/refresh", { json: { refresh_token: session.refresh } }), "unauthorized", "invalid_refresh_token");
    }
    expectError(
      await api("/auth/login", { json: { email: dora.email, password: dora.password, tenant: dora.tenantSlug } }),
      "unauthorized",
      "invalid_credentials",
    );

    // Reactivated, she signs in again; the sessions deactivation ended stay ended.
    expect((await api(`/admin/users/${dora.id}`, { token: ada.token, method: "PATCH", json: { active: true } })).status).toBe(200);
    await login(dora.email, dora.password, dora.tenantSlug);
    for (const session of [dora, laptop]) {
      expectError(await api("/auth/me", { token: session.token }), "unauthorized", "session_revoked");
      expectError(await api("/auth/refresh", { json: { refresh_token: session.refresh } }), "unauthorized", "invalid_refresh_token");
    }
  });

  it("records the end of each session, with the reason", async () => {
    const dora = await addUser(ada, "member", "dora");
    const laptop = await login(dora.email, dora.password, dora.tenantSlug);
    expect((await api(`/admin/users/${dora.id}`, { token: ada.token, method: "PATCH", json: { active: false } })).status).toBe(200);
    const sessions = await sql<{ id: string; revoked: boolean; revoked_reason: string | null }[]>`
      select id, revoked_at is not null as revoked, revoked_reason from public.sessions where user_id = ${dora.id} order by created_at`;
    expect(sessions.map((s) => s.id).sort()).toEqual([decodeJwt(dora.token).sid, decodeJwt(laptop.token).sid].sort());
    expect(sessions.map(({ revoked, revoked_reason }) => ({ revoked, revoked_reason }))).toEqual([
      { revoked: true, revoked_reason: "deactivated" },
      { revoked: true, revoked_reason: "deactivated" },
    ]);
  });
});

describe("changing a user's role", () => {
  it("takes the old role's powers away from the tokens already issued", async () => {
    const adele = await addUser(ada, "admin", "adele");
    const target = await makeTarget(ada.tenantId);
    expect((await api(`/admin/users/${adele.id}`, { token: ada.token, method: "PATCH", json: { role: "readonly" } })).status).toBe(200);
    const before = await tenantState(ada.tenantId);
    // Her access token was issued while she was an admin; she is readonly now.
    const res = await api(`/admin/users/${target.id}`, { token: adele.token, method: "PATCH", json: { role: "admin" } });
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(await tenantState(ada.tenantId)).toEqual(before);
    expect(await userRow(target.id)).toMatchObject({ role: "member" });
  });
});

describe("a superadmin", () => {
  let sue: Persona;

  beforeAll(async () => {
    sue = await makeSuperadmin(await signupOwner("Platform", "sue"));
  });

  /** A tenant made by sue with its owner signed in. */
  async function makeTenant(name: string): Promise<{ tenantId: string; slug: string; owner: Persona }> {
    const slug = `${name.toLowerCase()}-${tag()}`;
    const ownerEmail = `owner@${slug}.test`;
    const ownerPassword = strongPassword();
    const created = await api<{ id: string; slug: string; max_users: number; active: boolean }>("/admin/tenants", {
      token: sue.token,
      json: { name, slug, max_users: 5, owner_email: ownerEmail, owner_password: ownerPassword },
    });
    expect(created.status, created.text).toBe(201);
    expect(created.body).toMatchObject({ slug, max_users: 5, active: true });
    const owner = await login(ownerEmail, ownerPassword, slug);
    expect(owner).toMatchObject({ role: "owner", tenantId: created.body.id });
    return { tenantId: created.body.id, slug, owner };
  }

  it("lists tenants, finding one by slug", async () => {
    const { tenantId, slug } = await makeTenant("Umbrella");
    const listed = await api<{ data: Array<{ id: string; slug: string }> }>(`/admin/tenants?search=${slug}`, { token: sue.token });
    expect(listed.status).toBe(200);
    expect(listed.body.data.map((t) => t.id)).toEqual([tenantId]);
    const all = await api<{ data: Array<{ id: string }> }>("/admin/tenants?limit=200", { token: sue.token });
    expect(all.body.data.map((t) => t.id)).toEqual(expect.arrayContaining([tenantId, sue.tenantId, ada.tenantId]));
  });

  it("sees each tenant's active user count, not only her own tenant's", async () => {
    const { owner, slug } = await makeTenant("Umbrella");
    await addUser(owner, "member", "umberto");
    const listed = await api<{ data: Array<{ slug: string; user_count: number }> }>(`/admin/tenants?search=${slug}`, { token: sue.token });
    expect(listed.body.data).toEqual([expect.objectContaining({ slug, user_count: 2 })]);
  });

  it("updates and deactivates a tenant; its users are refused at their next request", async () => {
    const { tenantId, slug, owner: uma } = await makeTenant("Umbrella");
    const member = await addUser(uma, "member", "umberto");

    const renamed = await api<{ name: string }>(`/admin/tenants/${tenantId}`, { token: sue.token, method: "PATCH", json: { name: "Umbrella Corp" } });
    expect(renamed.status).toBe(200);
    expect(renamed.body.name).toBe("Umbrella Corp");
    expect((await api("/auth/me", { token: uma.token })).status).toBe(200);

    const off = await api<{ active: boolean }>(`/admin/tenants/${tenantId}`, { token: sue.token, method: "PATCH", json: { active: false } });
    expect(off.status).toBe(200);
    expect(off.body.active).toBe(false);
    for (const p of [uma, member]) {
      expectError(await api("/auth/me", { token: p.token }), "unauthorized", "session_revoked");
      expectError(await api("/admin/tenant", { token: p.token }), "unauthorized", "session_revoked");
      expectError(await api("/auth/refresh", { json: { refresh_token: p.refresh } }), "unauthorized", "invalid_refresh_token");
      expectError(await api("/auth/login", { json: { email: p.email, password: p.password, tenant: slug } }), "unauthorized", "invalid_credentials");
    }
    // The superadmin and other tenants are unaffected.
    expect((await api("/auth/me", { token: sue.token })).status).toBe(200);
    expect((await api("/auth/me", { token: ada.token })).status).toBe(200);

    const actions = await sql<{ action: string }[]>`select action from public.audit_log where tenant_id = ${tenantId} order by id`;
    expect(actions.map((r) => r.action)).toEqual(expect.arrayContaining(["tenant.created", "tenant.updated", "tenant.deactivated"]));

    // Reactivated, its users sign in again.
    expect((await api(`/admin/tenants/${tenantId}`, { token: sue.token, method: "PATCH", json: { active: true } })).status).toBe(200);
    await login(uma.email, uma.password, slug);
  });

  it("reactivating a tenant does not revive the sessions its deactivation ended", async () => {
    const { tenantId, owner: uma } = await makeTenant("Umbrella");
    expect((await api(`/admin/tenants/${tenantId}`, { token: sue.token, method: "PATCH", json: { active: false } })).status).toBe(200);
    expect((await api(`/admin/tenants/${tenantId}`, { token: sue.token, method: "PATCH", json: { active: true } })).status).toBe(200);
    expectError(await api("/auth/me", { token: uma.token }), "unauthorized", "session_revoked");
    expectError(await api("/auth/refresh", { json: { refresh_token: uma.refresh } }), "unauthorized", "invalid_refresh_token");
  });

  it("gets 404 for a tenant id that does not exist, and 409 for a taken slug", async () => {
    const missing = await api(`/admin/tenants/${randomUUID()}`, { token: sue.token, method: "PATCH", json: { name: "Ghost" } });
    expectError(missing, "not_found", "not_found");
    const taken = await api("/admin/tenants", { token: sue.token, json: { name: "Copy", slug: ada.tenantSlug } });
    expectError(taken, "conflict", "slug_taken");
  });
});
