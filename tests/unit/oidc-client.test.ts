// Atrium's OpenID Connect relying party (functions/_shared/oidc.ts) against a real OpenID
// provider on loopback: the happy path, Entra ID quirks, and every way a login must be refused.
import { createServer } from "node:http";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { SignJWT, decodeJwt, decodeProtectedHeader, generateKeyPair } from "jose";
import { AppError } from "../../functions/_shared/errors.ts";
import { setLogLevel } from "../../functions/_shared/log.ts";
import {
  checkState,
  clearOidcCaches,
  createAuthRequest,
  discover,
  exchangeCode,
  parseCallback,
} from "../../functions/_shared/oidc.ts";
import type { OidcClientConfig, OidcHttpOptions, OidcMetadata } from "../../functions/_shared/oidc.ts";
import { entraLikeAccount, startOidcProvider } from "../support/oidc-provider.ts";
import type { OidcTestProvider } from "../support/oidc-provider.ts";

const REDIRECT_URI = "http://127.0.0.1:1/functions/v1/auth/sso/callback"; // never requested
const ACME_ENTRA_TENANT = "0b7e6f1c-8d4a-4f5e-9c2b-3a1d2e3f4a5b";
const GLOBEX_ENTRA_TENANT = "6c1d7e2f-1111-4222-8333-944455556666";
const loopback: OidcHttpOptions = { allowHttpLoopback: true };

/** Awaits `p` and checks it failed with this AppError code (and status). */
async function refused(p: Promise<unknown> | (() => unknown), code: string, status?: number): Promise<AppError> {
  let caught: unknown;
  try {
    await (typeof p === "function" ? p() : p);
  } catch (err) {
    caught = err;
  }
  expect(caught, `expected AppError ${code}`).toBeInstanceOf(AppError);
  const err = caught as AppError;
  expect(err.code).toBe(code);
  if (status !== undefined) expect(err.status).toBe(status);
  return err;
}

/** A fetch that lets `edit` replace the provider's answer to matching requests. */
function intercept(edit: (url: URL, res: Response) => Promise<Response | undefined>): typeof fetch {
  return async (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const res = await fetch(input, init);
    return (await edit(url, res)) ?? res;
  };
}

const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });

async function listen(handler: Parameters<typeof createServer>[1]): Promise<{ server: Server; origin: string }> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

const close = (server: Server) =>
  new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });

describe("OIDC relying party", () => {
  let op: OidcTestProvider;
  let meta: OidcMetadata;
  let acme: OidcClientConfig;
  let acmePost: OidcClientConfig;

  beforeAll(async () => {
    setLogLevel("error");
    op = await startOidcProvider({
      clients: [
        { client_id: "atrium-acme", client_secret: "acme-secret", redirect_uris: [REDIRECT_URI] },
        {
          client_id: "atrium-acme-post",
          // Needs form-encoding in a Basic header, so Atrium prefers client_secret_post.
          client_secret: "s3cret/with+odd=chars:",
          redirect_uris: [REDIRECT_URI],
          token_endpoint_auth_method: "client_secret_post",
        },
      ],
      accounts: [
        { sub: "ada", email: "Ada@Acme.example", name: "Ada Lovelace" },
        { sub: "bob", email: "bob@acme.example", email_verified: false, given_name: "Bob", family_name: "Byte" },
        entraLikeAccount({
          sub: "entra-carol",
          tid: ACME_ENTRA_TENANT,
          oid: "5f3c9a2e-0000-4000-8000-000000000001",
          preferred_username: "Carol@Acme.onmicrosoft.com",
          name: "Carol Contoso",
        }),
        entraLikeAccount({
          sub: "entra-guest",
          tid: ACME_ENTRA_TENANT,
          preferred_username: "dan_globex.example#EXT#@acme.onmicrosoft.com",
        }),
      ],
    });
    acme = { issuer: op.issuer, clientId: "atrium-acme", clientSecret: "acme-secret", redirectUri: REDIRECT_URI };
    acmePost = { ...acme, clientId: "atrium-acme-post", clientSecret: "s3cret/with+odd=chars:" };
    meta = await discover(op.issuer, loopback);
  });

  afterAll(async () => {
    await op?.close();
    clearOidcCaches();
    setLogLevel("info");
  });

  /** Start, log in at the provider as `account`, and read the callback. */
  async function signIn(cfg: OidcClientConfig, account: string, m: OidcMetadata = meta, provider = op) {
    const auth = await createAuthRequest(m, cfg);
    const cb = parseCallback(new URL(await provider.login(auth.url, account)), m);
    if ("error" in cb) throw new Error(`provider said ${cb.error}`);
    checkState(cb.state, auth.state);
    return { auth, code: cb.code };
  }

  describe("discovery", () => {
    it("reads and caches the provider's metadata", async () => {
      expect(meta).toMatchObject({
        issuer: op.issuer,
        authorization_endpoint: `${op.issuer}/auth`,
        token_endpoint: `${op.issuer}/token`,
        jwks_uri: `${op.issuer}/jwks`,
      });
      let calls = 0;
      const counting: typeof fetch = (input, init) => {
        calls++;
        return fetch(input, init);
      };
      expect(await discover(`${op.issuer}/`, { ...loopback, fetch: counting })).toEqual(meta);
      expect(calls).toBe(0); // trailing slash: same issuer, served from the cache
      clearOidcCaches();
      await discover(op.issuer, { ...loopback, fetch: counting });
      expect(calls).toBe(1);
    });

    it("refuses http issuers that are not loopback, and loopback unless allowed", async () => {
      let calls = 0;
      const never: typeof fetch = async () => {
        calls++;
        return json({});
      };
      await refused(discover("http://login.acme.example", { ...loopback, fetch: never }), "sso_misconfigured", 400);
      await refused(discover(op.issuer, { fetch: never }), "sso_misconfigured", 400);
      for (const issuer of ["https://169.254.169.254", "https://10.0.0.8/adfs", "https://[fd00::1]", "https://u:p@idp.example", "not a url"]) {
        await refused(discover(issuer, { ...loopback, fetch: never }), "sso_misconfigured", 400);
      }
      expect(calls).toBe(0);
    });

    it("refuses a discovery document naming another issuer", async () => {
      const lying = intercept(async (url, res) =>
        url.pathname.endsWith("/openid-configuration")
          ? json({ ...((await res.json()) as object), issuer: "http://127.0.0.1:1/evil" })
          : undefined,
      );
      clearOidcCaches();
      await refused(discover(op.issuer, { ...loopback, fetch: lying }), "sso_provider_invalid", 502);
    });

    it("refuses endpoints that are not https (or allowed loopback)", async () => {
      const downgraded = intercept(async (url, res) =>
        url.pathname.endsWith("/openid-configuration")
          ? json({ ...((await res.json()) as object), token_endpoint: "http://idp.example/token" })
          : undefined,
      );
      clearOidcCaches();
      await refused(discover(op.issuer, { ...loopback, fetch: downgraded }), "sso_provider_invalid", 502);
    });

    it("never follows redirects", async () => {
      let targetHits = 0;
      const target = await listen((_req, res) => {
        targetHits++;
        res.end("{}");
      });
      const redirector = await listen((_req, res) => {
        res.writeHead(302, { location: `${target.origin}/.well-known/openid-configuration` });
        res.end();
      });
      try {
        await refused(discover(redirector.origin, loopback), "sso_provider_invalid", 502);
        expect(targetHits).toBe(0);
      } finally {
        await close(redirector.server);
        await close(target.server);
      }
    });

    it("bounds response size and time, and reports an unreachable provider as 503", async () => {
      const huge = await listen((_req, res) => {
        res.setHeader("content-type", "application/json");
        res.end(`{"issuer":"${"x".repeat(300_000)}"}`);
      });
      const silent = await listen(() => {
        /* never answers */
      });
      try {
        await refused(discover(huge.origin, loopback), "sso_provider_invalid", 502);
        await refused(discover(silent.origin, { ...loopback, timeoutMs: 200 }), "sso_provider_unreachable", 503);
      } finally {
        await close(huge.server);
        await close(silent.server);
      }
      await refused(discover("http://127.0.0.1:1", loopback), "sso_provider_unreachable", 503);
    });
  });

  describe("authorization request and callback", () => {
    it("asks for code + PKCE S256 with fresh state and nonce", async () => {
      const a = await createAuthRequest(meta, acme);
      const b = await createAuthRequest(meta, acme);
      const q = new URL(a.url).searchParams;
      expect(a.url.startsWith(`${meta.authorization_endpoint}?`)).toBe(true);
      expect(Object.fromEntries(q)).toMatchObject({
        response_type: "code",
        response_mode: "query",
        client_id: "atrium-acme",
        redirect_uri: REDIRECT_URI,
        scope: "openid email profile",
        state: a.state,
        nonce: a.nonce,
        code_challenge_method: "S256",
      });
      for (const v of [a.state, a.nonce, a.codeVerifier]) expect(v).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(new Set([a.state, a.nonce, a.codeVerifier, b.state, b.nonce, b.codeVerifier]).size).toBe(6);
      const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(a.codeVerifier)));
      expect(q.get("code_challenge")).toBe(Buffer.from(digest).toString("base64url"));
    });

    it("parses a refusal from the provider, with its state", async () => {
      const auth = await createAuthRequest(meta, acme);
      const cb = parseCallback(new URL(await op.deny(auth.url, "access_denied", "user cancelled")), meta);
      expect(cb).toEqual({ error: "access_denied", errorDescription: "user cancelled", state: auth.state });
    });

    it("refuses another attempt's state, a missing state and polluted parameters", async () => {
      const mine = await createAuthRequest(meta, acme);
      const theirs = await createAuthRequest(meta, acme);
      const cb = parseCallback(new URL(await op.login(theirs.url, "ada")), meta);
      expect("code" in cb).toBe(true);
      if (!("code" in cb)) return;
      await refused(() => checkState(cb.state, mine.state), "sso_state_invalid", 401);
      await refused(() => checkState("", ""), "sso_state_invalid");
      await refused(() => parseCallback(new URL(`${REDIRECT_URI}?code=abc`)), "sso_state_invalid", 401);
      await refused(() => parseCallback(new URL(`${REDIRECT_URI}?code=a&code=b&state=s`)), "sso_failed", 401);
    });

    it("refuses a callback whose iss names another issuer (RFC 9207)", async () => {
      const auth = await createAuthRequest(meta, acme);
      const back = new URL(await op.login(auth.url, "ada"));
      expect(back.searchParams.get("iss")).toBe(op.issuer);
      back.searchParams.set("iss", "https://idp.evil.example");
      await refused(() => parseCallback(back, meta), "sso_failed", 401);
      back.searchParams.delete("iss"); // this provider always sends it
      await refused(() => parseCallback(back, meta), "sso_failed", 401);
    });
  });

  describe("code exchange", () => {
    it("signs ada in: verified ID token, identity with lower-cased email", async () => {
      const { auth, code } = await signIn(acme, "ada");
      const who = await exchangeCode(meta, acme, { code, codeVerifier: auth.codeVerifier, expectedNonce: auth.nonce }, loopback);
      expect(who).toEqual({
        issuer: op.issuer,
        subject: "ada",
        email: "ada@acme.example",
        emailVerified: true,
        name: "Ada Lovelace",
      });
      // The code is single use.
      await refused(
        exchangeCode(meta, acme, { code, codeVerifier: auth.codeVerifier, expectedNonce: auth.nonce }, loopback),
        "sso_failed",
        401,
      );
    });

    it("uses client_secret_post when the secret would need encoding; keeps email_verified=false", async () => {
      const { auth, code } = await signIn(acmePost, "bob");
      const who = await exchangeCode(meta, acmePost, { code, codeVerifier: auth.codeVerifier, expectedNonce: auth.nonce }, loopback);
      expect(who).toMatchObject({ subject: "bob", email: "bob@acme.example", emailVerified: false, name: "Bob Byte" });
    });

    it("Entra-like account without email: preferred_username, tid and oid", async () => {
      const { auth, code } = await signIn(acme, "entra-carol");
      const who = await exchangeCode(meta, acme, { code, codeVerifier: auth.codeVerifier, expectedNonce: auth.nonce }, loopback);
      expect(who).toEqual({
        issuer: op.issuer,
        subject: "entra-carol",
        email: "carol@acme.onmicrosoft.com",
        emailVerified: false,
        name: "Carol Contoso",
        tenantId: ACME_ENTRA_TENANT,
        objectId: "5f3c9a2e-0000-4000-8000-000000000001",
      });
    });

    it("does not take an Entra guest's #EXT# UPN for an email address", async () => {
      const { auth, code } = await signIn(acme, "entra-guest");
      const who = await exchangeCode(meta, acme, { code, codeVerifier: auth.codeVerifier, expectedNonce: auth.nonce }, loopback);
      expect(who.email).toBeNull();
      expect(who.name).toBeNull();
    });

    it("refuses a wrong nonce", async () => {
      const { auth, code } = await signIn(acme, "ada");
      const other = await createAuthRequest(meta, acme);
      await refused(
        exchangeCode(meta, acme, { code, codeVerifier: auth.codeVerifier, expectedNonce: other.nonce }, loopback),
        "sso_nonce_mismatch",
        401,
      );
    });

    it("refuses a wrong PKCE verifier", async () => {
      const { auth, code } = await signIn(acme, "ada");
      const other = await createAuthRequest(meta, acme);
      await refused(
        exchangeCode(meta, acme, { code, codeVerifier: other.codeVerifier, expectedNonce: auth.nonce }, loopback),
        "sso_failed",
        401,
      );
    });

    /** Exchange a fresh code for ada with the ID token replaced by `forge(real)`. */
    async function withForgedIdToken(forge: (real: string) => Promise<string>) {
      const { auth, code } = await signIn(acme, "ada");
      const swap = intercept(async (url, res) => {
        if (url.href !== meta.token_endpoint) return undefined;
        const body = (await res.json()) as { id_token: string };
        return json({ ...body, id_token: await forge(body.id_token) });
      });
      return exchangeCode(meta, acme, { code, codeVerifier: auth.codeVerifier, expectedNonce: auth.nonce }, { ...loopback, fetch: swap });
    }

    it("refuses an ID token signed by another key (same kid, same claims)", async () => {
      const { privateKey } = await generateKeyPair("RS256");
      await refused(
        withForgedIdToken(async (real) =>
          new SignJWT(decodeJwt(real))
            .setProtectedHeader({ alg: "RS256", kid: decodeProtectedHeader(real).kid ?? "" })
            .sign(privateKey),
        ),
        "sso_failed",
        401,
      );
    });

    it("refuses a tampered ID token, HS256 signed with the client secret, and alg none", async () => {
      const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString("base64url");
      await refused(
        withForgedIdToken(async (real) => {
          const [h, , s] = real.split(".");
          return `${h}.${b64({ ...decodeJwt(real), email: "ceo@acme.example" })}.${s}`;
        }),
        "sso_failed",
      );
      await refused(
        withForgedIdToken(async (real) =>
          new SignJWT(decodeJwt(real)).setProtectedHeader({ alg: "HS256" }).sign(new TextEncoder().encode("acme-secret")),
        ),
        "sso_failed",
      );
      await refused(
        withForgedIdToken(async (real) => `${b64({ alg: "none", typ: "JWT" })}.${b64(decodeJwt(real))}.`),
        "sso_failed",
      );
    });

    it("refuses a valid ID token from another provider", async () => {
      const other = await startOidcProvider({
        clients: [{ client_id: "atrium-acme", client_secret: "acme-secret", redirect_uris: [REDIRECT_URI] }],
        accounts: [{ sub: "ada", email: "ada@acme.example" }],
      });
      try {
        const otherMeta = await discover(other.issuer, loopback);
        const otherCfg = { ...acme, issuer: other.issuer };
        await refused(
          withForgedIdToken(async () => {
            const { auth, code } = await signIn(otherCfg, "ada", otherMeta, other);
            const res = await fetch(otherMeta.token_endpoint, {
              method: "POST",
              headers: {
                "content-type": "application/x-www-form-urlencoded",
                authorization: `Basic ${Buffer.from("atrium-acme:acme-secret").toString("base64")}`,
              },
              body: new URLSearchParams({ grant_type: "authorization_code", code, redirect_uri: REDIRECT_URI, code_verifier: auth.codeVerifier }),
            });
            return ((await res.json()) as { id_token: string }).id_token;
          }),
          "sso_failed",
          401,
        );
      } finally {
        await other.close();
      }
    });

    it("reports a token endpoint outage as 503, not as a failed login", async () => {
      const { auth, code } = await signIn(acme, "ada");
      const down = intercept(async (url) => (url.href === meta.token_endpoint ? json({ error: "server_error" }, 503) : undefined));
      await refused(
        exchangeCode(meta, acme, { code, codeVerifier: auth.codeVerifier, expectedNonce: auth.nonce }, { ...loopback, fetch: down }),
        "sso_provider_unreachable",
        503,
      );
    });
  });
});

describe("Entra ID multi-tenant issuer (…/organizations/v2.0 → …/{tenantid}/v2.0)", () => {
  let op: OidcTestProvider;
  let origin: string;
  let http: OidcHttpOptions;
  let cfg: OidcClientConfig;

  beforeAll(async () => {
    setLogLevel("error");
    op = await startOidcProvider({
      issuerPath: `/${ACME_ENTRA_TENANT}/v2.0`,
      clients: [{ client_id: "atrium-entra", client_secret: "entra~secret.value", redirect_uris: [REDIRECT_URI] }],
      accounts: [
        entraLikeAccount({ sub: "erin", tid: ACME_ENTRA_TENANT, preferred_username: "erin@acme.example" }),
        // A user whose token names another directory than the issuer it came from.
        entraLikeAccount({ sub: "mallory", tid: GLOBEX_ENTRA_TENANT, preferred_username: "mallory@globex.example" }),
      ],
    });
    origin = new URL(op.issuer).origin;
    // Serve the real provider's metadata at /organizations/v2.0 with Entra's templated issuer.
    http = {
      allowHttpLoopback: true,
      fetch: async (input, init) => {
        const url = new URL(input instanceof Request ? input.url : String(input));
        if (url.pathname.endsWith("/.well-known/openid-configuration") && url.href !== op.discoveryUrl) {
          const real = (await (await fetch(op.discoveryUrl, init)).json()) as Record<string, unknown>;
          return json({ ...real, issuer: `${origin}/{tenantid}/v2.0` });
        }
        return fetch(input, init);
      },
    };
    cfg = {
      issuer: `${origin}/organizations/v2.0`,
      clientId: "atrium-entra",
      clientSecret: "entra~secret.value",
      redirectUri: REDIRECT_URI,
      allowedTenantIds: [ACME_ENTRA_TENANT],
    };
  });

  beforeEach(() => clearOidcCaches());

  afterAll(async () => {
    await op?.close();
    setLogLevel("info");
  });

  async function login(account: string, c: OidcClientConfig = cfg) {
    const meta = await discover(c.issuer, http);
    const auth = await createAuthRequest(meta, c);
    const cb = parseCallback(new URL(await op.login(auth.url, account)), meta);
    if ("error" in cb) throw new Error(cb.error);
    checkState(cb.state, auth.state);
    return exchangeCode(meta, c, { code: cb.code, codeVerifier: auth.codeVerifier, expectedNonce: auth.nonce }, http);
  }

  it("accepts the template and checks iss against the token's tid", async () => {
    expect(await login("erin")).toMatchObject({
      issuer: op.issuer,
      subject: "erin",
      email: "erin@acme.example",
      tenantId: ACME_ENTRA_TENANT,
    });
  });

  it("needs the allowed directories, and refuses others", async () => {
    const meta = await discover(cfg.issuer, http);
    await refused(createAuthRequest(meta, { ...cfg, allowedTenantIds: [] }), "sso_misconfigured", 400);
    await refused(login("erin", { ...cfg, allowedTenantIds: [GLOBEX_ENTRA_TENANT] }), "sso_tenant_not_allowed", 403);
  });

  it("refuses a token whose tid does not match its iss", async () => {
    await refused(login("mallory", { ...cfg, allowedTenantIds: [ACME_ENTRA_TENANT, GLOBEX_ENTRA_TENANT] }), "sso_failed", 401);
  });

  it("refuses a configured issuer outside the template", async () => {
    await refused(discover(`${origin}/organizations/v1.0`, http), "sso_provider_invalid", 502);
    await refused(discover(`${origin}/organizations/x/v2.0`, http), "sso_provider_invalid", 502);
  });
});
