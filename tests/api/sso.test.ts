// Single sign-on end to end against a real OpenID provider (npm oidc-provider) on loopback:
// an owner configures it, people sign in through the provider, users are created or linked,
// and every way the flow can be abused ends in a clear refusal.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TokenResponse } from "../../shared/auth.ts";
import { entraLikeAccount, startOidcProvider, type OidcTestProvider } from "../support/oidc-provider.ts";
import { addUser, signupOwner, type Persona } from "../support/personas.ts";
import { api, apiUrl, errorCode, rootSql } from "../support/stack.ts";

const origin = new URL(apiUrl).origin;
const clientSecret = "sso-client-secret-canary-7f3a";
let idp: OidcTestProvider;
let ada: Persona;
let domain: string;

beforeAll(async () => {
  ada = await signupOwner("Acme", "ada");
  domain = `${ada.tenantSlug}.test`;
  idp = await startOidcProvider({
    clients: [{ client_id: "atrium", client_secret: clientSecret, redirect_uris: [`${origin}/functions/v1/auth/sso/callback`] }],
    accounts: [
      { sub: "carol-sub", email: `carol@${domain}`, name: "Carol" },
      { sub: "ada-sub", email: ada.email, name: "Ada" },
      { sub: "mallory-sub", email: "mallory@evil.test", name: "Mallory" },
      entraLikeAccount({ sub: "erin-sub", tid: "tid-1", preferred_username: `erin@${domain}`, name: "Erin" }),
    ],
  });
  const res = await api("/admin/sso", {
    method: "PUT",
    token: ada.token,
    json: { issuer: idp.issuer, client_id: "atrium", client_secret: clientSecret, allowed_domains: [domain], default_role: "member" },
  });
  expect(res.status).toBe(200);
});

afterAll(async () => {
  await idp?.close();
});

/** Start at Atrium, sign in at the provider as `account`, come back; returns the web redirect. */
async function signIn(account: string, opts: { dropCookie?: boolean } = {}): Promise<URL> {
  const start = await fetch(`${apiUrl}/auth/sso/${ada.tenantSlug}/start?return_to=/chat`, { redirect: "manual" });
  expect(start.status).toBe(302);
  const cookie = start.headers.get("set-cookie")!.split(";")[0]!;
  const callback = await idp.login(start.headers.get("location")!, account);
  const back = await fetch(callback, { redirect: "manual", headers: opts.dropCookie ? {} : { cookie } });
  expect(back.status).toBe(302);
  return new URL(back.headers.get("location")!);
}

const fragment = (u: URL) => new URLSearchParams(u.hash.slice(1));

async function exchange(u: URL): Promise<TokenResponse> {
  const res = await api<TokenResponse>("/auth/sso/exchange", { json: { code: fragment(u).get("sso_code") } });
  expect(res.status).toBe(200);
  return res.body;
}

describe("SSO sign-in", () => {
  it("creates a new user with the default role on first sign-in and reuses it after", async () => {
    const back = await signIn("carol-sub");
    expect(back.origin).toBe(origin);
    expect(fragment(back).get("return_to")).toBe("/chat");
    const first = await exchange(back);
    expect(first.user).toMatchObject({ email: `carol@${domain}`, role: "member", tenant_id: ada.tenantId });
    const again = await exchange(await signIn("carol-sub"));
    expect(again.user.id).toBe(first.user.id);
    const me = await api("/auth/me", { token: again.access_token });
    expect(me.status).toBe(200);
    const [row] = await rootSql()`select count(*)::int as n from public.users where tenant_id = ${ada.tenantId} and email = ${`carol@${domain}`}`;
    expect(row?.n).toBe(1);
  });

  it("links an existing password account by email", async () => {
    const tokens = await exchange(await signIn("ada-sub"));
    expect(tokens.user.id).toBe(ada.id);
    expect(tokens.user.role).toBe("owner");
    const [row] = await rootSql()`select sso_subject from public.users where id = ${ada.id}`;
    expect(row?.sso_subject).toBe(`${idp.issuer}|ada-sub`);
  });

  it("accepts an Entra-like account whose only address is preferred_username", async () => {
    const tokens = await exchange(await signIn("erin-sub"));
    expect(tokens.user.email).toBe(`erin@${domain}`);
  });

  it("refuses an email domain that is not allowed", async () => {
    expect(fragment(await signIn("mallory-sub")).get("sso_error")).toBe("sso_domain_not_allowed");
  });

  it("refuses a callback opened without the browser cookie (login CSRF)", async () => {
    expect(fragment(await signIn("carol-sub", { dropCookie: true })).get("sso_error")).toBe("sso_state_invalid");
  });

  it("answers a provider refusal with sso_denied", async () => {
    const start = await fetch(`${apiUrl}/auth/sso/${ada.tenantSlug}/start`, { redirect: "manual" });
    const cookie = start.headers.get("set-cookie")!.split(";")[0]!;
    const callback = await idp.deny(start.headers.get("location")!);
    const back = await fetch(callback, { redirect: "manual", headers: { cookie } });
    expect(fragment(new URL(back.headers.get("location")!)).get("sso_error")).toBe("sso_denied");
  });

  it("uses each state and each one-time code once", async () => {
    const start = await fetch(`${apiUrl}/auth/sso/${ada.tenantSlug}/start`, { redirect: "manual" });
    const cookie = start.headers.get("set-cookie")!.split(";")[0]!;
    const callback = await idp.login(start.headers.get("location")!, "carol-sub");
    const first = await fetch(callback, { redirect: "manual", headers: { cookie } });
    const replay = await fetch(callback, { redirect: "manual", headers: { cookie } });
    expect(fragment(new URL(replay.headers.get("location")!)).get("sso_error")).toBe("sso_state_invalid");
    const u = new URL(first.headers.get("location")!);
    await exchange(u);
    const twice = await api("/auth/sso/exchange", { json: { code: fragment(u).get("sso_code") } });
    expect(twice.status).toBe(401);
    expect(errorCode(twice)).toBe("invalid_auth_code");
  });

  it("answers 404 for a tenant without SSO", async () => {
    const bob = await signupOwner("Globex", "bob");
    const res = await api(`/auth/sso/${bob.tenantSlug}/start`);
    expect(res.status).toBe(404);
    expect(errorCode(res)).toBe("sso_not_configured");
  });
});

describe("SSO settings", () => {
  it("keep the client secret write-only and sealed", async () => {
    const res = await api<Record<string, unknown>>("/admin/sso", { token: ada.token });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ issuer: idp.issuer, client_id: "atrium", has_client_secret: true, redirect_uri: `${origin}/functions/v1/auth/sso/callback` });
    expect(res.text).not.toContain(clientSecret);
    const [row] = await rootSql()`select client_secret_sealed from public.tenant_sso where tenant_id = ${ada.tenantId}`;
    expect(row?.client_secret_sealed).toMatch(/^v1\./);
    expect(row?.client_secret_sealed).not.toContain(clientSecret);
  });

  it("are changed only by owners and read only by admins", async () => {
    const admin = await addUser(ada, "admin", "alan");
    const member = await addUser(ada, "member", "max");
    expect(errorCode(await api("/admin/sso", { token: member.token }))).toBe("insufficient_role");
    expect((await api("/admin/sso", { token: admin.token })).status).toBe(200);
    const put = await api("/admin/sso", { method: "PUT", token: admin.token, json: { issuer: idp.issuer, client_id: "x" } });
    expect(put.status).toBe(403);
  });

  it("refuse a plain-http issuer that is not loopback", async () => {
    const res = await api("/admin/sso", {
      method: "PUT",
      token: ada.token,
      json: { issuer: "http://idp.example.com", client_id: "x", client_secret: "y" },
    });
    expect(res.status).toBe(400);
    expect((res.body as { error: { field?: string } }).error.field).toBe("issuer");
  });
});
