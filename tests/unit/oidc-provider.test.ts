// The SSO test harness itself: a real oidc-provider on loopback, driven by hand with fetch.
import { createHash, randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from "jose";
import { entraLikeAccount, startOidcProvider } from "../support/oidc-provider.ts";
import type { OidcTestProvider } from "../support/oidc-provider.ts";

const CLIENT_ID = "atrium-test";
const CLIENT_SECRET = "atrium-test-secret";
const POST_CLIENT_ID = "atrium-post";
const POST_CLIENT_SECRET = "atrium-post-secret";
// Never requested: login() stops at the redirect to it.
const REDIRECT_URI = "http://127.0.0.1:1/auth/sso/callback";
const TENANT_ID = "0b7e6f1c-8d4a-4f5e-9c2b-3a1d2e3f4a5b";

interface Discovery {
  issuer: string;
  authorization_endpoint: string;
  token_endpoint: string;
  jwks_uri: string;
  userinfo_endpoint?: string;
  response_types_supported: string[];
  code_challenge_methods_supported?: string[];
  id_token_signing_alg_values_supported: string[];
  scopes_supported?: string[];
  claims_supported?: string[];
  token_endpoint_auth_methods_supported?: string[];
}

interface TokenResponse {
  access_token?: string;
  id_token?: string;
  token_type?: string;
  error?: string;
  error_description?: string;
}

const b64url = (buf: Buffer): string => buf.toString("base64url");

function pkce(): { verifier: string; challenge: string } {
  const verifier = b64url(randomBytes(32));
  return { verifier, challenge: b64url(createHash("sha256").update(verifier).digest()) };
}

interface AuthRequest {
  url: string;
  state: string;
  nonce: string;
  verifier: string;
}

function buildAuthorizeUrl(discovery: Discovery, clientId: string = CLIENT_ID): AuthRequest {
  const state = b64url(randomBytes(16));
  const nonce = b64url(randomBytes(16));
  const { verifier, challenge } = pkce();
  const url = new URL(discovery.authorization_endpoint);
  url.search = new URLSearchParams({
    response_type: "code",
    client_id: clientId,
    redirect_uri: REDIRECT_URI,
    scope: "openid email profile",
    state,
    nonce,
    code_challenge: challenge,
    code_challenge_method: "S256",
  }).toString();
  return { url: url.href, state, nonce, verifier };
}

async function exchangeCode(
  discovery: Discovery,
  code: string,
  verifier: string,
  auth: "basic" | "post" = "basic",
): Promise<{ status: number; body: TokenResponse }> {
  const form = new URLSearchParams({
    grant_type: "authorization_code",
    code,
    redirect_uri: REDIRECT_URI,
    code_verifier: verifier,
  });
  const headers: Record<string, string> = { "content-type": "application/x-www-form-urlencoded" };
  if (auth === "basic") {
    const basic = `${encodeURIComponent(CLIENT_ID)}:${encodeURIComponent(CLIENT_SECRET)}`;
    headers.authorization = `Basic ${Buffer.from(basic).toString("base64")}`;
  } else {
    form.set("client_id", POST_CLIENT_ID);
    form.set("client_secret", POST_CLIENT_SECRET);
  }
  const res = await fetch(discovery.token_endpoint, { method: "POST", headers, body: form });
  return { status: res.status, body: (await res.json()) as TokenResponse };
}

function codeFrom(redirect: string, expectedState: string): string {
  const url = new URL(redirect);
  expect(`${url.origin}${url.pathname}`).toBe(REDIRECT_URI);
  expect(url.searchParams.get("error")).toBeNull();
  expect(url.searchParams.get("state")).toBe(expectedState);
  const code = url.searchParams.get("code");
  expect(code).toBeTruthy();
  return code ?? "";
}

describe("oidc-provider test harness", () => {
  let op: OidcTestProvider;
  let discovery: Discovery;

  beforeAll(async () => {
    op = await startOidcProvider({
      clients: [
        { client_id: CLIENT_ID, client_secret: CLIENT_SECRET, redirect_uris: [REDIRECT_URI] },
        {
          client_id: POST_CLIENT_ID,
          client_secret: POST_CLIENT_SECRET,
          redirect_uris: [REDIRECT_URI],
          token_endpoint_auth_method: "client_secret_post",
        },
      ],
      accounts: [
        { sub: "alice", email: "alice@example.com", name: "Alice Example" },
        { sub: "bob", email: "bob@example.org", email_verified: false, name: "Bob" },
        entraLikeAccount({
          sub: "entra-carol",
          tid: TENANT_ID,
          oid: "5f3c9a2e-0000-4000-8000-000000000001",
          preferred_username: "carol@contoso.onmicrosoft.com",
          name: "Carol Contoso",
        }),
      ],
    });
    const res = await fetch(op.discoveryUrl);
    expect(res.status).toBe(200);
    discovery = (await res.json()) as Discovery;
  });

  afterAll(async () => {
    await op?.close();
  });

  it("serves the discovery document for a loopback http issuer", () => {
    expect(op.issuer).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(discovery.issuer).toBe(op.issuer);
    expect(discovery.authorization_endpoint.startsWith(`${op.issuer}/`)).toBe(true);
    expect(discovery.token_endpoint.startsWith(`${op.issuer}/`)).toBe(true);
    expect(discovery.jwks_uri.startsWith(`${op.issuer}/`)).toBe(true);
    expect(discovery.response_types_supported).toEqual(["code"]);
    expect(discovery.code_challenge_methods_supported).toEqual(["S256"]);
    expect(discovery.id_token_signing_alg_values_supported).toContain("RS256");
    expect(discovery.scopes_supported).toEqual(expect.arrayContaining(["openid", "email", "profile"]));
    expect(discovery.claims_supported).toEqual(
      expect.arrayContaining(["sub", "email", "email_verified", "name", "preferred_username", "tid", "oid"]),
    );
    expect(discovery.token_endpoint_auth_methods_supported).toEqual(
      expect.arrayContaining(["client_secret_basic", "client_secret_post"]),
    );
  });

  it("serves an RS256 public JWKS (no private parts)", async () => {
    const res = await fetch(discovery.jwks_uri);
    expect(res.status).toBe(200);
    const jwks = (await res.json()) as { keys: Array<Record<string, unknown>> };
    expect(jwks.keys).toHaveLength(1);
    expect(jwks.keys[0]).toMatchObject({ kty: "RSA", alg: "RS256", use: "sig" });
    expect(jwks.keys[0]?.d).toBeUndefined();
  });

  it("runs authorization code + PKCE + state + nonce and issues a verifiable ID token", async () => {
    const req = buildAuthorizeUrl(discovery);
    const redirect = await op.login(req.url, "alice");
    const code = codeFrom(redirect, req.state);

    const { status, body } = await exchangeCode(discovery, code, req.verifier);
    expect(status).toBe(200);
    expect(body.token_type).toBe("Bearer");
    expect(body.access_token).toBeTruthy();
    const idToken = body.id_token ?? "";
    expect(decodeProtectedHeader(idToken).alg).toBe("RS256");

    const jwks = createRemoteJWKSet(new URL(discovery.jwks_uri));
    const { payload } = await jwtVerify(idToken, jwks, {
      issuer: op.issuer,
      audience: CLIENT_ID,
      algorithms: ["RS256"],
    });
    expect(payload.sub).toBe("alice");
    expect(payload.nonce).toBe(req.nonce);
    expect(payload.email).toBe("alice@example.com");
    expect(payload.email_verified).toBe(true);
    expect(payload.name).toBe("Alice Example");

    // userinfo works with the access token too.
    const userinfo = () =>
      fetch(discovery.userinfo_endpoint ?? "", { headers: { authorization: `Bearer ${body.access_token ?? ""}` } });
    const ui = await userinfo();
    expect(ui.status).toBe(200);
    expect(await ui.json()).toMatchObject({ sub: "alice", email: "alice@example.com" });

    // The code is single use; replaying it also revokes what it issued.
    const again = await exchangeCode(discovery, code, req.verifier);
    expect(again.status).toBe(400);
    expect(again.body.error).toBe("invalid_grant");
    expect((await userinfo()).status).toBe(401);
  });

  it("refuses a wrong code_verifier", async () => {
    const req = buildAuthorizeUrl(discovery);
    const code = codeFrom(await op.login(req.url, "alice"), req.state);
    const { status, body } = await exchangeCode(discovery, code, pkce().verifier);
    expect(status).toBe(400);
    expect(body.error).toBe("invalid_grant");
    expect(body.id_token).toBeUndefined();
  });

  it("requires PKCE even for confidential clients", async () => {
    const req = buildAuthorizeUrl(discovery);
    const url = new URL(req.url);
    url.searchParams.delete("code_challenge");
    url.searchParams.delete("code_challenge_method");
    const redirect = new URL(await op.login(url.href, "alice"));
    expect(redirect.searchParams.get("error")).toBe("invalid_request");
    expect(redirect.searchParams.get("state")).toBe(req.state);
    expect(redirect.searchParams.get("code")).toBeNull();
  });

  it("supports client_secret_post and reflects email_verified=false", async () => {
    const req = buildAuthorizeUrl(discovery, POST_CLIENT_ID);
    const code = codeFrom(await op.login(req.url, "bob"), req.state);
    const { status, body } = await exchangeCode(discovery, code, req.verifier, "post");
    expect(status).toBe(200);
    const { payload } = await jwtVerify(body.id_token ?? "", createRemoteJWKSet(new URL(discovery.jwks_uri)), {
      issuer: op.issuer,
      audience: POST_CLIENT_ID,
    });
    expect(payload).toMatchObject({ sub: "bob", email: "bob@example.org", email_verified: false, nonce: req.nonce });
  });

  it("Entra-like account: no email, preferred_username + tid + oid instead", async () => {
    const req = buildAuthorizeUrl(discovery);
    const code = codeFrom(await op.login(req.url, "entra-carol"), req.state);
    const { body } = await exchangeCode(discovery, code, req.verifier);
    const { payload } = await jwtVerify(body.id_token ?? "", createRemoteJWKSet(new URL(discovery.jwks_uri)), {
      issuer: op.issuer,
      audience: CLIENT_ID,
      algorithms: ["RS256"],
    });
    expect(payload.email).toBeUndefined();
    expect(payload.email_verified).toBeUndefined();
    expect(payload.preferred_username).toBe("carol@contoso.onmicrosoft.com");
    expect(payload.tid).toBe(TENANT_ID);
    expect(payload.oid).toBe("5f3c9a2e-0000-4000-8000-000000000001");
    expect(payload.name).toBe("Carol Contoso");
    expect(payload.nonce).toBe(req.nonce);
  });

  it("returns access_denied (with state) through deny()", async () => {
    const req = buildAuthorizeUrl(discovery);
    const redirect = new URL(await op.deny(req.url, "access_denied", "user cancelled"));
    expect(`${redirect.origin}${redirect.pathname}`).toBe(REDIRECT_URI);
    expect(redirect.searchParams.get("error")).toBe("access_denied");
    expect(redirect.searchParams.get("error_description")).toBe("user cancelled");
    expect(redirect.searchParams.get("state")).toBe(req.state);
    expect(redirect.searchParams.get("code")).toBeNull();
  });

  it("setAccount() changes the claims of the next login", async () => {
    op.setAccount({ sub: "dave", email: "dave@example.com", name: "Dave" });
    const req = buildAuthorizeUrl(discovery);
    const code = codeFrom(await op.login(req.url, "dave"), req.state);
    const { body } = await exchangeCode(discovery, code, req.verifier);
    const { payload } = await jwtVerify(body.id_token ?? "", createRemoteJWKSet(new URL(discovery.jwks_uri)), {
      issuer: op.issuer,
      audience: CLIENT_ID,
    });
    expect(payload).toMatchObject({ sub: "dave", email: "dave@example.com" });
  });

  it("rejects an unregistered redirect_uri without redirecting, and unknown accounts", async () => {
    const req = buildAuthorizeUrl(discovery);
    const url = new URL(req.url);
    url.searchParams.set("redirect_uri", "http://127.0.0.1:1/evil");
    await expect(op.login(url.href, "alice")).rejects.toThrow(/expected a redirect/);
    await expect(op.login(req.url, "nobody")).rejects.toThrow(/unknown account/);
    expect(op.serverErrors).toEqual([]);
  });
});

describe("oidc-provider test harness with an Entra-like issuer path", () => {
  it("mounts the provider under /<tenant>/v2.0", async () => {
    const op = await startOidcProvider({
      issuerPath: `/${TENANT_ID}/v2.0`,
      clients: [{ client_id: CLIENT_ID, client_secret: CLIENT_SECRET, redirect_uris: [REDIRECT_URI] }],
      accounts: [entraLikeAccount({ sub: "s1", tid: TENANT_ID, preferred_username: "x@contoso.com" })],
    });
    try {
      expect(op.issuer).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:\\d+/${TENANT_ID}/v2\\.0$`));
      const discovery = (await (await fetch(op.discoveryUrl)).json()) as Discovery;
      expect(discovery.issuer).toBe(op.issuer);
      expect(discovery.token_endpoint.startsWith(`${op.issuer}/`)).toBe(true);
      const req = buildAuthorizeUrl(discovery);
      const code = codeFrom(await op.login(req.url, "s1"), req.state);
      const { body } = await exchangeCode(discovery, code, req.verifier);
      const { payload } = await jwtVerify(body.id_token ?? "", createRemoteJWKSet(new URL(discovery.jwks_uri)), {
        issuer: op.issuer,
        audience: CLIENT_ID,
      });
      expect(payload).toMatchObject({ sub: "s1", tid: TENANT_ID, preferred_username: "x@contoso.com" });
    } finally {
      await op.close();
    }
  });
});
