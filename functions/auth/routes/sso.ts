// Per-tenant OpenID Connect sign-in: /sso/:tenant/start sends the browser to the tenant's
// identity provider; /sso/callback verifies the answer, provisions or links the user and hands
// the web app a one-time code, which /sso/exchange turns into tokens (no token in any URL).
import { Hono } from "hono";
import { getCookie, setCookie, deleteCookie } from "hono/cookie";
import { type AuthEnv, clientInfo } from "../../_shared/auth.ts";
import { decryptSecret, encryptSecret, randomToken, sha256Hex } from "../../_shared/crypto.ts";
import { AppError } from "../../_shared/errors.ts";
import { log } from "../../_shared/log.ts";
import { createAuthRequest, discover, exchangeCode, parseCallback, type OidcClientConfig } from "../../_shared/oidc.ts";
import * as privileged from "../../_shared/privileged.ts";
import { allowHttpLoopback, ssoRedirectUri, webAppUrl } from "../../_shared/sso-settings.ts";
import { readJson } from "../../_shared/validate.ts";
import { slugSchema, ssoExchangeRequest } from "../../../shared/auth.ts";
import { tokenResponse } from "../tokens.ts";

export const ssoRoutes = new Hono<AuthEnv>();
const COOKIE = "atrium_sso";

async function clientConfig(row: privileged.SsoConfigRow): Promise<OidcClientConfig> {
  if (!row.client_secret_sealed) throw new AppError("forbidden", "Single sign-on is not fully configured.", { code: "sso_not_configured" });
  const clientSecret = await decryptSecret(row.client_secret_sealed, { tenantId: row.tenant_id, rowId: row.id, purpose: "sso_client_secret" });
  return { issuer: row.issuer, clientId: row.client_id, clientSecret, redirectUri: ssoRedirectUri() };
}

/** Only same-site paths, so the callback cannot be turned into an open redirect. */
function safeReturnTo(value: string | undefined): string | null {
  return value && /^\/(?!\/)[\w\-./?=&%#]{0,400}$/.test(value) ? value : null;
}

ssoRoutes.get("/sso/:tenant/start", async (c) => {
  const slug = slugSchema.safeParse(c.req.param("tenant"));
  const row = slug.success ? await privileged.ssoConfig({ slug: slug.data }) : undefined;
  if (!row) throw new AppError("not_found", "This organisation has no single sign-on.", { code: "sso_not_configured" });
  const http = { allowHttpLoopback: allowHttpLoopback() };
  const cfg = await clientConfig(row);
  const request = await createAuthRequest(await discover(cfg.issuer, http), cfg);
  const browser = randomToken("", 32);
  const stateHash = await sha256Hex(request.state);
  await privileged.saveSsoFlow({
    stateHash,
    tenantId: row.tenant_id,
    browserHash: await sha256Hex(browser),
    nonce: request.nonce,
    codeVerifierSealed: await encryptSecret(request.codeVerifier, { tenantId: row.tenant_id, rowId: stateHash, purpose: "sso_verifier" }),
    returnTo: safeReturnTo(c.req.query("return_to")),
  });
  setCookie(c, COOKIE, browser, {
    path: "/",
    httpOnly: true,
    secure: new URL(ssoRedirectUri()).protocol === "https:",
    sameSite: "Lax",
    maxAge: 600,
  });
  return c.redirect(request.url, 302);
});

ssoRoutes.get("/sso/callback", async (c) => {
  const back = (fragment: Record<string, string>) => {
    deleteCookie(c, COOKIE, { path: "/" });
    return c.redirect(`${webAppUrl()}/#${new URLSearchParams(fragment)}`, 302);
  };
  let tenantId: string | undefined;
  try {
    const url = new URL(c.req.url);
    const first = parseCallback(url);
    const flow = first.state ? await privileged.takeSsoFlow(await sha256Hex(first.state)) : undefined;
    const browser = getCookie(c, COOKIE);
    if (!flow || !browser || (await sha256Hex(browser)) !== flow.browser_hash) {
      throw new AppError("unauthorized", "This sign-in link has expired or was opened in another browser; start again.", { code: "sso_state_invalid" });
    }
    tenantId = flow.tenant_id;
    if ("error" in first) {
      throw new AppError("unauthorized", "The identity provider did not sign you in.", { code: first.error === "access_denied" ? "sso_denied" : "sso_failed" });
    }
    const row = await privileged.ssoConfig({ tenantId: flow.tenant_id });
    if (!row) throw new AppError("forbidden", "Single sign-on was turned off for this organisation.", { code: "sso_not_configured" });
    const cfg = await clientConfig(row);
    const http = { allowHttpLoopback: allowHttpLoopback() };
    const meta = await discover(cfg.issuer, http);
    const callback = parseCallback(url, meta); // again, now checking the RFC 9207 iss parameter
    if ("error" in callback) throw new AppError("unauthorized", "The identity provider did not sign you in.", { code: "sso_failed" });
    // The state matched through its hash; the verifier is bound to that same hash.
    const codeVerifier = await decryptSecret(flow.code_verifier_sealed, { tenantId: flow.tenant_id, rowId: await sha256Hex(callback.state), purpose: "sso_verifier" });
    const identity = await exchangeCode(meta, cfg, { code: callback.code, codeVerifier, expectedNonce: flow.nonce }, http);
    const domain = identity.email?.split("@")[1] ?? "";
    if (!identity.email) throw new AppError("forbidden", "Your identity provider did not share an email address.", { code: "sso_email_missing" });
    if (row.allowed_domains.length > 0 && !row.allowed_domains.includes(domain)) {
      throw new AppError("forbidden", "Your email domain is not allowed to sign in here.", { code: "sso_domain_not_allowed" });
    }
    const outcome = await privileged.provisionSsoUser({
      tenantId: flow.tenant_id,
      subject: `${identity.issuer}|${identity.subject}`,
      email: identity.email,
      emailVerified: identity.emailVerified,
      name: identity.name,
      role: row.default_role,
    });
    if (outcome.kind === "refused") {
      throw new AppError("forbidden", "This account cannot sign in with single sign-on; ask your administrator.", { code: `sso_${outcome.reason}` });
    }
    const { account, created, linked } = outcome;
    await privileged.auditUnauthenticated({
      tenantId: account.tenant_id, action: "auth.sso_login", targetType: "user", targetId: account.id,
      actorId: account.id, actorEmail: account.email, details: { created, linked, issuer: identity.issuer }, ...clientInfo(c),
    });
    const code = await privileged.createAuthCode(account.tenant_id, account.id);
    return back({ sso_code: code, ...(flow.return_to ? { return_to: flow.return_to } : {}) });
  } catch (err) {
    const appErr = err instanceof AppError ? err : undefined;
    log(appErr ? "warn" : "error", "sso_callback_failed", { requestId: c.var.requestId, tenantId, code: appErr?.code, error: err });
    if (tenantId) {
      await privileged.auditUnauthenticated({ tenantId, action: "auth.sso_failed", details: { code: appErr?.code ?? "internal_error" }, ...clientInfo(c) }).catch(() => {});
    }
    return back({ sso_error: appErr?.code ?? "sso_failed" });
  }
});

ssoRoutes.post("/sso/exchange", async (c) => {
  const body = await readJson(c, ssoExchangeRequest);
  const account = await privileged.takeAuthCode(body.code);
  if (!account) throw new AppError("unauthorized", "This sign-in code has expired or was used; sign in again.", { code: "invalid_auth_code" });
  const session = await privileged.createSession(account, "sso", clientInfo(c));
  return c.json(await tokenResponse(account, session.sessionId, session.refreshToken));
});
