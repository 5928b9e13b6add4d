// Malformed, mistyped and oversized request bodies on the endpoints that create things (login,
// signup, admin user creation): one 400/413/415 in the one error shape, naming the field, and
// nothing written. Other test files share the database and run at the same time, so "nothing
// written" counts the rows this file's requests could have made: every body carries a marker.
import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { errorBodySchema, errorCatalog, type ErrorFamily } from "../../shared/errors.ts";
import { type Persona, signupOwner, strongPassword } from "../support/personas.ts";
import { api, type ApiResponse, apiUrl, errorCode, rootSql } from "../support/stack.ts";

const marker = `mal${randomUUID().slice(0, 8)}`;
const MiB = 1024 * 1024;

let ada: Persona; // owner of Acme

beforeAll(async () => {
  ada = await signupOwner("Acme", "ada");
});

/** Rows in users, tenants, login_attempts and audit_log this file's requests could have written. */
async function footprint(): Promise<Record<string, number>> {
  const like = `%${marker}%`;
  const [row] = await rootSql()<Record<string, number>[]>`
    select
      (select count(*)::int from public.users where email like ${like} or tenant_id = ${ada.tenantId}) as users,
      (select count(*)::int from public.tenants where slug like ${like} or name like ${like}) as tenants,
      (select count(*)::int from public.login_attempts where account_key like ${like}) as login_attempts,
      (select count(*)::int from public.audit_log
        where tenant_id = ${ada.tenantId} or actor_email like ${like} or details::text like ${like}) as audit_log`;
  return row!;
}

interface Endpoint {
  name: string;
  path: string;
  auth: boolean;
  /** A body that would succeed (or at least be read through), marked. */
  valid(): Record<string, unknown>;
}

const endpoints: Endpoint[] = [
  {
    name: "POST /auth/login",
    path: "/auth/login",
    auth: false,
    valid: () => ({ email: `${marker}@example.test`, password: strongPassword(), tenant: `${marker}-org` }),
  },
  {
    name: "POST /auth/signup",
    path: "/auth/signup",
    auth: false,
    valid: () => ({ organisation: `Org ${marker}`, slug: `${marker}-org`, email: `${marker}@example.test`, password: strongPassword() }),
  },
  {
    name: "POST /admin/users",
    path: "/admin/users",
    auth: true,
    valid: () => ({ email: `${marker}-new@example.test`, role: "member", password: strongPassword() }),
  },
];

interface Case {
  name: string;
  /** The request body: an object sent as JSON, or raw text. */
  body: (valid: Record<string, unknown>) => { json: unknown } | { raw: string };
  contentType?: string | null;
  family: ErrorFamily;
  code?: string;
  field?: string;
}

const cases: Case[] = [
  {
    name: "a 10 000-character email",
    body: (v) => ({ json: { ...v, email: `${"a".repeat(10_000 - marker.length - 13)}${marker}@example.test` } }),
    family: "validation_failed",
    field: "email",
  },
  {
    name: "a 1 000 000-character password",
    body: (v) => ({ json: { ...v, password: `${marker}${"p".repeat(1_000_000 - marker.length)}` } }),
    family: "validation_failed",
    field: "password",
  },
  { name: "email: 5", body: (v) => ({ json: { ...v, email: 5 } }), family: "validation_failed", field: "email" },
  { name: "password: [\"x\"]", body: (v) => ({ json: { ...v, password: ["x"] } }), family: "validation_failed", field: "password" },
  { name: "email: null", body: (v) => ({ json: { ...v, email: null } }), family: "validation_failed", field: "email" },
  { name: "email: {}", body: (v) => ({ json: { ...v, email: { $ne: "" } } }), family: "validation_failed", field: "email" },
  { name: "a missing email", body: (v) => ({ json: { ...v, email: undefined } }), family: "validation_failed", field: "email" },
  { name: "an extra field is_admin", body: (v) => ({ json: { ...v, is_admin: true } }), family: "validation_failed", field: "is_admin" },
  { name: "an extra field superadmin", body: (v) => ({ json: { ...v, superadmin: true } }), family: "validation_failed", field: "superadmin" },
  { name: "an extra field tenant_id", body: (v) => ({ json: { ...v, tenant_id: randomUUID() } }), family: "validation_failed", field: "tenant_id" },
  { name: "an extra field __proto__", body: (v) => ({ raw: JSON.stringify(v).replace(/^\{/, '{"__proto__":{"role":"owner"},') }), family: "validation_failed", field: "__proto__" },
  { name: "truncated JSON", body: (v) => ({ raw: JSON.stringify(v).slice(0, -5) }), family: "invalid_json" },
  { name: "not JSON at all", body: () => ({ raw: `email=${marker}@example.test&password=x` }), family: "invalid_json" },
  { name: "an empty body", body: () => ({ raw: "" }), family: "invalid_json" },
  { name: "a JSON array", body: (v) => ({ json: [v] }), family: "validation_failed" },
  { name: "JSON null", body: () => ({ raw: "null" }), family: "validation_failed" },
  { name: "a JSON string", body: () => ({ raw: JSON.stringify(marker) }), family: "validation_failed" },
  {
    name: "text/plain",
    body: (v) => ({ json: v }),
    contentType: "text/plain",
    family: "unsupported_media_type",
  },
  {
    name: "a form",
    body: (v) => ({ raw: new URLSearchParams(v as Record<string, string>).toString() }),
    contentType: "application/x-www-form-urlencoded",
    family: "unsupported_media_type",
  },
  { name: "no content type", body: (v) => ({ json: v }), contentType: null, family: "unsupported_media_type" },
  {
    name: "a body over 1 MiB",
    body: (v) => ({ json: { ...v, password: `${marker}${"p".repeat(MiB + 16)}` } }),
    family: "payload_too_large",
  },
];

async function send(e: Endpoint, c: Case): Promise<ApiResponse> {
  const body = c.body(e.valid());
  const text = "json" in body ? JSON.stringify(body.json) : body.raw;
  const headers: Record<string, string> = e.auth ? { authorization: `Bearer ${ada.token}` } : {};
  const type = c.contentType === undefined ? "application/json" : c.contentType;
  if (type) headers["content-type"] = type;
  // Bytes, not a string: fetch would add text/plain to a string body without a content type.
  const res = await fetch(`${apiUrl}${e.path}`, { method: "POST", headers, body: new TextEncoder().encode(text) });
  const raw = await res.text();
  let parsed: unknown = raw;
  try {
    parsed = JSON.parse(raw);
  } catch {
    // not JSON: the assertions on the error shape will say so
  }
  return { status: res.status, headers: res.headers, body: parsed, text: raw };
}

function expectError(res: ApiResponse, c: { family: ErrorFamily; code?: string; field?: string }): void {
  expect({ status: res.status, code: errorCode(res) }).toEqual({ status: errorCatalog[c.family].status, code: c.code ?? c.family });
  const body = errorBodySchema.parse(res.body);
  expect(body.error.type).toBe(errorCatalog[c.family].type);
  if (c.field) expect(body.error.field).toBe(c.field);
  // Short, and never an echo of what was sent.
  expect(res.text.length).toBeLessThan(1000);
  expect(res.text).not.toMatch(/\bat [\w.<>]+ \(|node_modules|SELECT|INSERT/);
}

describe.each(endpoints)("$name", (e) => {
  it.each(cases)("refuses $name", async (c) => {
    const before = await footprint();
    const res = await send(e, c);
    expectError(res, c);
    expect(await footprint()).toEqual(before);
  });

  it("refuses a streamed body over 1 MiB sent without Content-Length", async () => {
    const before = await footprint();
    const chunk = new TextEncoder().encode(`{"email":"${marker}@example.test","password":"${"p".repeat(64 * 1024)}`);
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent > MiB + chunk.length) {
          controller.enqueue(new TextEncoder().encode('"}'));
          controller.close();
          return;
        }
        controller.enqueue(chunk);
        sent += chunk.length;
      },
    });
    const res = await fetch(`${apiUrl}${e.path}`, {
      method: "POST",
      headers: { "content-type": "application/json", ...(e.auth ? { authorization: `Bearer ${ada.token}` } : {}) },
      body: stream,
      duplex: "half",
    } as RequestInit & { duplex: "half" });
    const text = await res.text();
    expectError({ status: res.status, headers: res.headers, body: JSON.parse(text) as unknown, text }, { family: "payload_too_large" });
    expect(await footprint()).toEqual(before);
  });

  it("still accepts the valid body (the control for the refusals)", async () => {
    const res = await api(e.path, { json: e.valid(), ...(e.auth ? { token: ada.token } : {}) });
    // Login of an unknown account is a well-formed refusal; signup and create succeed.
    expect([200, 201, 401]).toContain(res.status);
    if (res.status === 401) expect(errorCode(res)).toBe("invalid_credentials");
  });
});

describe("the admin user schema", () => {
  it("names the field of a wrong role, a long display name and an unknown query parameter", async () => {
    const before = await footprint();
    const checks: Array<[ApiResponse, string]> = [
      [await api("/admin/users", { token: ada.token, json: { email: `${marker}-r@example.test`, role: "god" } }), "role"],
      [await api("/admin/users", { token: ada.token, json: { email: `${marker}-d@example.test`, display_name: "d".repeat(201) } }), "display_name"],
      [await api("/admin/users?limit=abc", { token: ada.token }), "limit"],
      [await api("/admin/users?limit=100000", { token: ada.token }), "limit"],
      [await api(`/admin/users?sort=${marker}`, { token: ada.token }), "sort"],
      [await api(`/admin/users/${ada.id}`, { token: ada.token, method: "PATCH", json: { role: "owner", tenant_id: randomUUID() } }), "tenant_id"],
      [await api(`/admin/users/${ada.id}`, { token: ada.token, method: "PATCH", json: { active: "false" } }), "active"],
    ];
    for (const [res, field] of checks) expectError(res, { family: "validation_failed", field });
    const empty = await api(`/admin/users/${ada.id}`, { token: ada.token, method: "PATCH", json: {} });
    expectError(empty, { family: "validation_failed" });
    expect(await footprint()).toEqual(before);
  });
});
