// Assistants through the chat API: personal ones for every member, tenant-wide ones only by
// admins (and audited), invisible across members and tenants, readonly users read only,
// models limited to what the writer may use, and bodies validated field by field.
import { randomUUID } from "node:crypto";
import { decodeJwt } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Claims, closeDb, withClaims } from "../../functions/_shared/db.ts";
import type { Assistant } from "../../shared/assistants.ts";
import { errorCatalog, type ErrorFamily } from "../../shared/errors.ts";
import { addUser, type Persona, signupOwner } from "../support/personas.ts";
import { api, type ApiResponse, errorCode, rootSql } from "../support/stack.ts";

const sql = rootSql();
const tag = () => randomUUID().slice(0, 8);

let ada: Persona; // owner of Acme
let alan: Persona; // admin of Acme
let mia: Persona; // member of Acme
let max: Persona; // member of Acme
let rita: Persona; // readonly of Acme
let bob: Persona; // owner of Globex
let openModel: string; // an Acme model every member may use
let closedModel: string; // an Acme model of a restricted provider (admins only)
let globexModel: string;

beforeAll(async () => {
  [ada, bob] = await Promise.all([signupOwner("Acme", "ada"), signupOwner("Globex", "bob")]);
  [alan, mia, max, rita] = await Promise.all([
    addUser(ada, "admin", "alan"), addUser(ada, "member", "mia"), addUser(ada, "member", "max"), addUser(ada, "readonly", "rita"),
  ]);
  [openModel, closedModel, globexModel] = await Promise.all([
    makeModel(ada.tenantId, false), makeModel(ada.tenantId, true), makeModel(bob.tenantId, false),
  ]);
});

afterAll(async () => {
  await closeDb();
});

async function makeModel(tenantId: string, restricted: boolean): Promise<string> {
  const [p] = await sql<{ id: string }[]>`
    insert into public.providers (tenant_id, type, name, base_url, restricted)
    values (${tenantId}, 'openai', ${`provider-${tag()}`}, 'https://api.openai.com/v1', ${restricted}) returning id`;
  const [m] = await sql<{ id: string }[]>`
    insert into public.models (tenant_id, provider_id, model_id, display_name)
    values (${tenantId}, ${p!.id}, ${`model-${tag()}`}, 'Model') returning id`;
  return m!.id;
}

function expectError(res: ApiResponse, family: ErrorFamily, code: string, field?: string): void {
  expect({ status: res.status, code: errorCode(res) }, res.text).toEqual({ status: errorCatalog[family].status, code });
  expect(res.body).toMatchObject({ error: { type: errorCatalog[family].type } });
  if (field) expect(res.body).toMatchObject({ error: { field } });
}

async function create(p: Persona, body: Record<string, unknown>): Promise<Assistant> {
  const res = await api<Assistant>("/chat/assistants", { token: p.token, json: { name: `Assistant ${tag()}`, ...body } });
  expect(res.status, res.text).toBe(201);
  return res.body;
}

const list = async (p: Persona, query = "") =>
  (await api<{ data: Assistant[]; next_cursor: string | null }>(`/chat/assistants${query}`, { token: p.token })).body;

async function auditActions(targetId: string): Promise<string[]> {
  const rows = await sql<{ action: string }[]>`
    select action from public.audit_log where tenant_id = ${ada.tenantId} and target_id = ${targetId} order by id`;
  return rows.map((r) => r.action);
}

describe("personal assistants", () => {
  it("a member creates, reads, lists, changes and deletes her own", async () => {
    const created = await create(mia, {
      name: "Translator", description: "English to French", icon: "🇫🇷", system_prompt: "Translate to French.",
      model_id: openModel, temperature: 0.3,
    });
    expect(created).toMatchObject({
      scope: "personal", owner_id: mia.id, name: "Translator", description: "English to French", icon: "🇫🇷",
      system_prompt: "Translate to French.", model_id: openModel, temperature: 0.3, editable: true,
    });
    expect((await api(`/chat/assistants/${created.id}`, { token: mia.token })).body).toEqual(created);
    expect((await list(mia)).data.map((a) => a.id)).toContain(created.id);

    const patched = await api<Assistant>(`/chat/assistants/${created.id}`, {
      token: mia.token, method: "PATCH", json: { name: "Traductrice", temperature: null },
    });
    expect(patched.status, patched.text).toBe(200);
    // Only the named fields change; the others keep their values.
    expect(patched.body).toMatchObject({ name: "Traductrice", temperature: null, description: "English to French", icon: "🇫🇷", model_id: openModel });

    expect((await api(`/chat/assistants/${created.id}`, { token: mia.token, method: "DELETE" })).status).toBe(204);
    expectError(await api(`/chat/assistants/${created.id}`, { token: mia.token }), "not_found", "not_found");
    // Personal changes are not audited: they concern nobody else.
    expect(await auditActions(created.id)).toEqual([]);
  });

  it("are invisible to other members and admins: 404 on read, change and delete", async () => {
    const own = await create(max, { name: "Max's secret helper", system_prompt: "private" });
    for (const p of [mia, alan, ada]) {
      expect((await list(p)).data.map((a) => a.id)).not.toContain(own.id);
      expectError(await api(`/chat/assistants/${own.id}`, { token: p.token }), "not_found", "not_found");
      expectError(await api(`/chat/assistants/${own.id}`, { token: p.token, method: "PATCH", json: { name: "Hijacked" } }), "not_found", "not_found");
      expectError(await api(`/chat/assistants/${own.id}`, { token: p.token, method: "DELETE" }), "not_found", "not_found");
    }
    const [row] = await sql<{ name: string }[]>`select name from public.assistants where id = ${own.id}`;
    expect(row?.name).toBe("Max's secret helper");
  });
});

describe("tenant-wide assistants", () => {
  it("only admins create, change and delete them; every member reads them; each change is audited", async () => {
    const shared = await create(alan, { name: "Company style", scope: "tenant", system_prompt: "Write like Acme." });
    expect(shared).toMatchObject({ scope: "tenant", owner_id: null, editable: true });

    for (const p of [mia, rita, ada]) {
      const seen = (await list(p)).data.find((a) => a.id === shared.id);
      expect(seen, p.email).toMatchObject({ scope: "tenant", editable: p === ada });
    }
    expectError(await api("/chat/assistants", { token: mia.token, json: { name: "Mine for all", scope: "tenant" } }), "forbidden", "insufficient_role");
    expectError(await api(`/chat/assistants/${shared.id}`, { token: mia.token, method: "PATCH", json: { name: "Mia's now" } }), "forbidden", "insufficient_role");
    expectError(await api(`/chat/assistants/${shared.id}`, { token: mia.token, method: "DELETE" }), "forbidden", "insufficient_role");

    const patched = await api<Assistant>(`/chat/assistants/${shared.id}`, { token: ada.token, method: "PATCH", json: { description: "House style" } });
    expect(patched.body).toMatchObject({ name: "Company style", description: "House style" });
    expect((await api(`/chat/assistants/${shared.id}`, { token: alan.token, method: "DELETE" })).status).toBe(204);
    expect(await auditActions(shared.id)).toEqual(["assistant.created", "assistant.updated", "assistant.deleted"]);
  });

  it("lists filter by scope", async () => {
    const mine = await create(mia, { name: "Scoped personal" });
    const shared = await create(alan, { name: "Scoped shared", scope: "tenant" });
    const personal = (await list(mia, "?scope=personal")).data;
    const tenant = (await list(mia, "?scope=tenant")).data;
    expect(personal.every((a) => a.scope === "personal" && a.owner_id === mia.id)).toBe(true);
    expect(personal.map((a) => a.id)).toContain(mine.id);
    expect(tenant.every((a) => a.scope === "tenant")).toBe(true);
    expect(tenant.map((a) => a.id)).toContain(shared.id);
  });
});

describe("readonly users", () => {
  it("read assistants but cannot create, change or delete any", async () => {
    const shared = await create(alan, { name: "Readable", scope: "tenant" });
    expect((await api(`/chat/assistants/${shared.id}`, { token: rita.token })).status).toBe(200);
    expectError(await api("/chat/assistants", { token: rita.token, json: { name: "Rita's" } }), "forbidden", "insufficient_role");
    expectError(await api(`/chat/assistants/${shared.id}`, { token: rita.token, method: "PATCH", json: { name: "x" } }), "forbidden", "insufficient_role");
    expectError(await api(`/chat/assistants/${shared.id}`, { token: rita.token, method: "DELETE" }), "forbidden", "insufficient_role");
    const [n] = await sql<{ n: number }[]>`select count(*)::int as n from public.assistants where owner_id = ${rita.id}`;
    expect(n?.n).toBe(0);
  });
});

describe("other tenants", () => {
  it("answer 404 on every endpoint for another tenant's assistant, shared or personal", async () => {
    const shared = await create(ada, { name: "Acme only", scope: "tenant" });
    const personal = await create(mia, { name: "Mia only" });
    for (const id of [shared.id, personal.id, randomUUID(), "not-a-uuid"]) {
      expectError(await api(`/chat/assistants/${id}`, { token: bob.token }), "not_found", "not_found");
      expectError(await api(`/chat/assistants/${id}`, { token: bob.token, method: "PATCH", json: { name: "Globex's" } }), "not_found", "not_found");
      expectError(await api(`/chat/assistants/${id}`, { token: bob.token, method: "DELETE" }), "not_found", "not_found");
    }
    expect((await list(bob)).data.map((a) => a.id)).not.toContain(shared.id);
    expect((await api<Assistant>(`/chat/assistants/${shared.id}`, { token: ada.token })).body.name).toBe("Acme only");
  });
});

describe("models", () => {
  it("a member may only choose a model she may use: 403 model_not_allowed otherwise", async () => {
    for (const model_id of [closedModel, globexModel, randomUUID()]) {
      expectError(await api("/chat/assistants", { token: mia.token, json: { name: "Closed", model_id } }), "forbidden", "model_not_allowed", "model_id");
    }
    const ok = await create(mia, { name: "Open", model_id: openModel });
    expectError(
      await api(`/chat/assistants/${ok.id}`, { token: mia.token, method: "PATCH", json: { model_id: closedModel } }),
      "forbidden", "model_not_allowed", "model_id",
    );
    // Admins manage every provider of their tenant, restricted ones included; never another tenant's.
    expect((await create(alan, { name: "Closed but admin", model_id: closedModel, scope: "tenant" })).model_id).toBe(closedModel);
    expectError(await api("/chat/assistants", { token: ada.token, json: { name: "Foreign", model_id: globexModel } }), "forbidden", "model_not_allowed");
  });

  it("forget a model that is removed, keeping the assistant", async () => {
    const model = await makeModel(ada.tenantId, false);
    const a = await create(mia, { name: "Short-lived model", model_id: model });
    await sql`delete from public.models where id = ${model}`;
    expect((await api<Assistant>(`/chat/assistants/${a.id}`, { token: mia.token })).body).toMatchObject({ name: "Short-lived model", model_id: null });
  });
});

describe("the database itself", () => {
  const claimsOf = (p: Persona): Claims => {
    const t = decodeJwt(p.token);
    return { sub: p.id, tenant_id: p.tenantId, app_role: p.role, sid: String(t.sid), email: p.email, role: "authenticated" };
  };
  async function asUser(p: Persona, fn: Parameters<typeof withClaims>[1]): Promise<{ rows: number } | { code: string; hint?: string }> {
    try {
      return { rows: ((await withClaims(claimsOf(p), fn)) as readonly unknown[]).length };
    } catch (err) {
      const e = err as { code?: string; hint?: string };
      return { code: String(e.code), ...(e.hint ? { hint: e.hint } : {}) };
    }
  }

  it("refuses a model the writer may not use, whoever writes the SQL", async () => {
    expect(await asUser(mia, (tx) => tx`
      insert into public.assistants (tenant_id, owner_id, name, model_id) values (${ada.tenantId}, ${mia.id}, 'Direct', ${closedModel}) returning 1`))
      .toEqual({ code: "AT403", hint: "model_not_allowed" });
  });

  it("keeps owner and tenant fixed, and keeps members out of tenant-wide rows and others' rows", async () => {
    const own = await create(mia, { name: "Fixed owner" });
    const shared = await create(alan, { name: "Fixed shared", scope: "tenant" });
    expect(await asUser(mia, (tx) => tx`update public.assistants set owner_id = null where id = ${own.id} returning 1`)).toEqual({ code: "42501" });
    expect(await asUser(mia, (tx) => tx`update public.assistants set owner_id = ${max.id} where id = ${own.id} returning 1`)).toEqual({ code: "42501" });
    expect(await asUser(alan, (tx) => tx`update public.assistants set owner_id = ${alan.id} where id = ${shared.id} returning 1`)).toEqual({ code: "42501" });
    // A member may not insert a tenant-wide row or one owned by someone else.
    expect(await asUser(mia, (tx) => tx`insert into public.assistants (tenant_id, owner_id, name) values (${ada.tenantId}, null, 'x') returning 1`)).toEqual({ code: "42501" });
    expect(await asUser(mia, (tx) => tx`insert into public.assistants (tenant_id, owner_id, name) values (${ada.tenantId}, ${max.id}, 'x') returning 1`)).toEqual({ code: "42501" });
    expect(await asUser(rita, (tx) => tx`insert into public.assistants (tenant_id, owner_id, name) values (${ada.tenantId}, ${rita.id}, 'x') returning 1`)).toEqual({ code: "42501" });
    // Blind writes reach only what the caller may change.
    expect(await asUser(mia, (tx) => tx`update public.assistants set name = 'Blind' where owner_id is null returning 1`)).toEqual({ rows: 0 });
    expect(await asUser(mia, (tx) => tx`delete from public.assistants where owner_id = ${max.id} returning 1`)).toEqual({ rows: 0 });
    expect(await asUser(mia, (tx) => tx`update public.assistants set name = 'Renamed' where id = ${own.id} returning 1`)).toEqual({ rows: 1 });
  });
});

describe("request bodies", () => {
  const cases: Array<[string, Record<string, unknown>, string]> = [
    ["an empty name", { name: "" }, "name"],
    ["a name over 100 characters", { name: "n".repeat(101) }, "name"],
    ["a description over 1000 characters", { name: "x", description: "d".repeat(1001) }, "description"],
    ["an icon over 16 characters", { name: "x", icon: "i".repeat(17) }, "icon"],
    ["a system prompt over 20 000 characters", { name: "x", system_prompt: "s".repeat(20_001) }, "system_prompt"],
    ["a model id that is not a uuid", { name: "x", model_id: "gpt-4o" }, "model_id"],
    ["a temperature above 2", { name: "x", temperature: 2.5 }, "temperature"],
    ["a temperature as text", { name: "x", temperature: "0.5" }, "temperature"],
    ["an unknown scope", { name: "x", scope: "global" }, "scope"],
    ["an owner chosen by the client", { name: "x", owner_id: randomUUID() }, "owner_id"],
    ["a tenant chosen by the client", { name: "x", tenant_id: randomUUID() }, "tenant_id"],
  ];

  it.each(cases)("refuses %s with 400 naming the field, writing nothing", async (_name, json, field) => {
    const before = await sql<{ n: number }[]>`select count(*)::int as n from public.assistants where tenant_id = ${ada.tenantId}`;
    expectError(await api("/chat/assistants", { token: mia.token, json }), "validation_failed", "validation_failed", field);
    const after = await sql<{ n: number }[]>`select count(*)::int as n from public.assistants where tenant_id = ${ada.tenantId}`;
    expect(after[0]?.n).toBe(before[0]?.n);
  });

  it("refuses an empty change, a scope change, bad JSON and non-JSON", async () => {
    const a = await create(mia, { name: "Target" });
    expectError(await api(`/chat/assistants/${a.id}`, { token: mia.token, method: "PATCH", json: {} }), "validation_failed", "validation_failed");
    expectError(await api(`/chat/assistants/${a.id}`, { token: mia.token, method: "PATCH", json: { scope: "tenant" } }), "validation_failed", "validation_failed", "scope");
    expectError(await api("/chat/assistants", { token: mia.token, body: "{not json", headers: { "content-type": "application/json" } }), "invalid_json", "invalid_json");
    expectError(await api("/chat/assistants", { token: mia.token, body: "name=x", headers: { "content-type": "text/plain" } }), "unsupported_media_type", "unsupported_media_type");
  });

  it("refuses a bad list query and asks for a token", async () => {
    expectError(await api("/chat/assistants?scope=everyone", { token: mia.token }), "validation_failed", "validation_failed", "scope");
    expectError(await api("/chat/assistants?limit=1000", { token: mia.token }), "validation_failed", "validation_failed", "limit");
    expectError(await api("/chat/assistants"), "unauthorized", "unauthorized");
  });

  it("pages a list with a cursor", async () => {
    const pager = await addUser(ada, "member", "pat");
    for (const name of ["b", "a", "c"]) await create(pager, { name });
    const first = await list(pager, "?scope=personal&limit=2");
    expect(first.data.map((a) => a.name)).toEqual(["a", "b"]);
    const second = await list(pager, `?scope=personal&limit=2&cursor=${first.next_cursor}`);
    expect(second).toMatchObject({ data: [{ name: "c" }], next_cursor: null });
  });
});
