// Tenant isolation over HTTP: every endpoint that takes an id answers another tenant's id
// exactly like an id that does not exist (404 not_found), and changes nothing there.
import { beforeAll, describe, expect, it } from "vitest";
import { errorCatalog } from "../../shared/errors.ts";
import { addUser, type Persona, signupOwner } from "../support/personas.ts";
import { api, type ApiResponse, errorCode, rootSql } from "../support/stack.ts";

let ada: Persona; // owner of Acme
let adam: Persona; // admin of Acme
let bob: Persona; // owner of Globex
let gil: Persona; // member of Globex

beforeAll(async () => {
  [ada, bob] = await Promise.all([signupOwner("Acme", "ada"), signupOwner("Globex", "bob")]);
  [adam, gil] = await Promise.all([addUser(ada, "admin", "adam"), addUser(bob, "member", "gil")]);
});

/** Everything Globex has that an Acme admin could touch through /admin. */
async function globexState(): Promise<unknown> {
  const sql = rootSql();
  const [state] = await sql<{ users: unknown; tenant: unknown; sessions: number; audit: number }[]>`
    select
      (select jsonb_agg(to_jsonb(u) order by u.id) from public.users u where u.tenant_id = ${bob.tenantId}) as users,
      (select to_jsonb(t) from public.tenants t where t.id = ${bob.tenantId}) as tenant,
      (select count(*)::int from public.sessions s where s.tenant_id = ${bob.tenantId} and s.revoked_at is null) as sessions,
      (select count(*)::int from public.audit_log l where l.tenant_id = ${bob.tenantId}) as audit`;
  return state;
}

function expectNotFound(res: ApiResponse): void {
  expect(res.status).toBe(errorCatalog.not_found.status);
  expect(errorCode(res)).toBe("not_found");
  expect(res.body).toMatchObject({ error: { type: errorCatalog.not_found.type } });
}

const byId: Array<{ name: string; call: (token: string, id: string) => Promise<ApiResponse> }> = [
  { name: "GET /admin/users/:id", call: (token, id) => api(`/admin/users/${id}`, { token }) },
  {
    name: "PATCH /admin/users/:id (display_name)",
    call: (token, id) => api(`/admin/users/${id}`, { token, method: "PATCH", json: { display_name: "Hijacked" } }),
  },
  {
    name: "PATCH /admin/users/:id (role)",
    call: (token, id) => api(`/admin/users/${id}`, { token, method: "PATCH", json: { role: "readonly" } }),
  },
  {
    name: "PATCH /admin/users/:id (deactivate)",
    call: (token, id) => api(`/admin/users/${id}`, { token, method: "PATCH", json: { active: false } }),
  },
  { name: "DELETE /admin/users/:id", call: (token, id) => api(`/admin/users/${id}`, { token, method: "DELETE" }) },
];

describe("another tenant's user ids", () => {
  for (const endpoint of byId) {
    it(`${endpoint.name}: Acme's owner and admin get 404 for Globex's owner and member, and Globex is unchanged`, async () => {
      const before = await globexState();
      for (const caller of [ada, adam]) {
        for (const target of [bob, gil]) {
          expectNotFound(await endpoint.call(caller.token, target.id));
          // Upper-case spelling of the same id is the same id.
          expectNotFound(await endpoint.call(caller.token, target.id.toUpperCase()));
        }
      }
      expect(await globexState()).toEqual(before);
      // Bob and Gil still work.
      expect((await api("/auth/me", { token: bob.token })).status).toBe(200);
      expect((await api("/auth/me", { token: gil.token })).status).toBe(200);
    });
  }

  it("answers another tenant's id and an unknown id with the same body", async () => {
    const theirs = await api(`/admin/users/${bob.id}`, { token: ada.token });
    const nobody = await api(`/admin/users/00000000-0000-4000-8000-000000000000`, { token: ada.token });
    expect(theirs.status).toBe(nobody.status);
    expect(theirs.body).toEqual(nobody.body);
  });
});

describe("ids that are not uuids", () => {
  const bad = [
    "not-a-uuid",
    "1",
    "00000000-0000-0000-0000-00000000000g",
    "00000000000000000000000000000000",
    "%27%20or%201%3D1--",
    "%00",
    "a".repeat(5000),
  ];
  for (const endpoint of byId) {
    it(`${endpoint.name} answers 404 not_found`, async () => {
      const before = await globexState();
      for (const id of [...bad, `${bob.id}x`, `%20${bob.id}`, `{${bob.id}}`]) {
        expectNotFound(await endpoint.call(ada.token, id));
      }
      expect(await globexState()).toEqual(before);
    });
  }
});

describe("listing users", () => {
  it("never includes another tenant's users, whatever the search", async () => {
    const globexIds = new Set((await rootSql()<{ id: string }[]>`
      select id from public.users where tenant_id = ${bob.tenantId}`).map((r) => r.id));
    expect(globexIds.size).toBe(2);
    const searches = [bob.email, gil.email, bob.tenantSlug, "globex", "@", "%", "_", ""];
    for (const caller of [ada, adam]) {
      for (const search of searches) {
        const res = await api<{ data: Array<{ id: string }>; next_cursor: string | null }>(
          `/admin/users?search=${encodeURIComponent(search)}&limit=200`,
          { token: caller.token },
        );
        expect(res.status).toBe(200);
        expect(res.body.data.filter((u) => globexIds.has(u.id))).toEqual([]);
      }
    }
    const exact = await api<{ data: unknown[] }>(`/admin/users?search=${encodeURIComponent(bob.email)}`, { token: ada.token });
    expect(exact.body.data).toEqual([]);
  });

  it("pages through exactly the caller's own tenant", async () => {
    const ids: string[] = [];
    let cursor: string | null = null;
    do {
      const page: ApiResponse<{ data: Array<{ id: string }>; next_cursor: string | null }> = await api(
        `/admin/users?limit=1${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`,
        { token: ada.token },
      );
      expect(page.status).toBe(200);
      ids.push(...page.body.data.map((u) => u.id));
      cursor = page.body.next_cursor;
    } while (cursor);
    const acme = await rootSql()<{ id: string }[]>`select id from public.users where tenant_id = ${ada.tenantId}`;
    expect(ids.sort()).toEqual(acme.map((r) => r.id).sort());
  });

  it("a cursor or search naming the other tenant's emails reveals nothing", async () => {
    // Cursors are emails; one just before Bob's would return him if RLS did not confine the query.
    const res = await api<{ data: Array<{ email: string }> }>(
      `/admin/users?cursor=${encodeURIComponent(bob.email.slice(0, -1))}&limit=200`,
      { token: ada.token },
    );
    expect(res.status).toBe(200);
    expect(res.body.data.map((u) => u.email)).not.toContain(bob.email);
  });
});

describe("tenant endpoints", () => {
  it("GET /admin/tenant is the caller's own tenant", async () => {
    const res = await api<{ id: string }>("/admin/tenant", { token: ada.token });
    expect(res.status).toBe(200);
    expect(res.body.id).toBe(ada.tenantId);
  });

  it("PATCH /admin/tenant changes only the caller's own tenant", async () => {
    const before = await globexState();
    const res = await api<{ id: string; name: string }>("/admin/tenant", {
      token: ada.token,
      method: "PATCH",
      json: { name: "Acme Renamed" },
    });
    expect(res.status).toBe(200);
    expect(res.body.id).toBe(ada.tenantId);
    expect(await globexState()).toEqual(before);
  });

  it("PATCH /admin/tenants/:id with Globex's id is refused to Acme's owner (superadmin_only), Globex unchanged", async () => {
    const before = await globexState();
    for (const json of [{ name: "Pwned" }, { active: false }, { max_users: 1 }]) {
      const res = await api(`/admin/tenants/${bob.tenantId}`, { token: ada.token, method: "PATCH", json });
      expect(res.status).toBe(errorCatalog.forbidden.status);
      expect(errorCode(res)).toBe("superadmin_only");
    }
    expect(await globexState()).toEqual(before);
  });
});
