// OpenID Connect relying party for per-tenant SSO: discovery, authorization code + PKCE (S256)
// + state + nonce, code exchange and ID token verification (Entra ID, ADFS, Google, any issuer).
// Pure functions over fetch/crypto.subtle/jose; the auth routes own storage and cookies.
import { createRemoteJWKSet, customFetch, errors as joseErrors, jwtVerify } from "jose";
import type { FetchImplementation, JWTPayload } from "jose";
import { z } from "zod";
import { randomToken, toBase64Url } from "./crypto.ts";
import { AppError } from "./errors.ts";
import { log } from "./log.ts";
import {
  checkUrl,
  failed,
  misconfigured,
  type OidcHttpOptions,
  parseJson,
  providerInvalid,
  request,
  safeJson,
  stateInvalid,
  unreachable,
} from "./oidc-http.ts";

export type { OidcHttpOptions } from "./oidc-http.ts";

export interface OidcClientConfig {
  /** Exactly as the provider's discovery document names it (a trailing `/` is tolerated). */
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** Atrium's callback, registered at the provider. */
  redirectUri: string;
  /** Default `openid email profile`; `openid` is always sent. */
  scopes?: readonly string[];
  /**
   * Entra ID multi-tenant issuers (`…/common/v2.0`, `…/organizations/v2.0`): the directory
   * (`tid`) ids allowed to sign in. Required there; otherwise anyone with a Microsoft account could.
   */
  allowedTenantIds?: readonly string[];
}


export interface OidcAuthRequest {
  /** Send the browser here (302). */
  url: string;
  state: string;
  nonce: string;
  codeVerifier: string;
}

export interface OidcIdentity {
  /** The ID token's `iss` (for Entra multi-tenant: the user's own directory). Key users by issuer + subject. */
  issuer: string;
  /** `sub`: stable per issuer and client (pairwise per app in Entra ID and ADFS). */
  subject: string;
  /** Lower-cased; from `email`, else an e-mail-like `preferred_username` or `upn`. */
  email: string | null;
  /** True only when the provider vouches for `email` (`email_verified`, Entra's `xms_edov`). */
  emailVerified: boolean;
  name: string | null;
  /** Entra ID directory id (`tid`). */
  tenantId?: string;
  /** Entra ID object id (`oid`): the same user across apps of one directory. */
  objectId?: string;
}

export type OidcCallback =
  | { code: string; state: string }
  | { error: string; errorDescription: string | null; state: string | null };

const url = z.string().min(1).max(2048);
const list = z.array(z.string().max(200)).max(100).optional();
const metadataSchema = z.object({
  issuer: url,
  authorization_endpoint: url,
  token_endpoint: url,
  jwks_uri: url,
  userinfo_endpoint: url.optional(),
  response_types_supported: list,
  response_modes_supported: list,
  code_challenge_methods_supported: list,
  token_endpoint_auth_methods_supported: list,
  id_token_signing_alg_values_supported: list,
  authorization_response_iss_parameter_supported: z.boolean().optional(),
});
export type OidcMetadata = z.infer<typeof metadataSchema>;

const ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "ES256", "ES384", "EdDSA"];
const DEFAULT_SCOPES = ["openid", "email", "profile"];
const CACHE_TTL_MS = 10 * 60_000;
const CACHE_MAX = 100;
const CLOCK_TOLERANCE_S = 120;
const ENTRA_TEMPLATE = "{tenantid}";

// ---------------------------------------------------------------------------------------------
// Discovery

const metadataCache = new Map<string, { meta: OidcMetadata; expires: number }>();
const jwksCache = new Map<string, ReturnType<typeof createRemoteJWKSet>>();

/** Forget cached discovery documents and key sets (tests, or after an admin edits SSO). */
export function clearOidcCaches(): void {
  metadataCache.clear();
  jwksCache.clear();
}

/** Fetch and validate `<issuer>/.well-known/openid-configuration`; cached 10 minutes. */
export async function discover(issuer: string, http: OidcHttpOptions = {}): Promise<OidcMetadata> {
  const base = await checkUrl(issuer, http, "issuer");
  if (base.search || base.hash) throw misconfigured("issuer", "The issuer must not have a query or fragment.");
  const normalized = stripSlash(base.href);
  const key = `${http.allowHttpLoopback ? "l" : "p"} ${normalized}`;
  const hit = metadataCache.get(key);
  if (hit && hit.expires > Date.now()) return hit.meta;

  const res = await request(`${normalized}/.well-known/openid-configuration`, { method: "GET" }, http, "discovery");
  if (res.status !== 200) {
    log("warn", "sso_discovery_status", { issuer: normalized, status: res.status });
    throw res.status >= 500 ? unreachable() : providerInvalid();
  }
  const parsed = metadataSchema.safeParse(parseJson(res.body, "discovery", normalized));
  if (!parsed.success) {
    log("warn", "sso_discovery_invalid", { issuer: normalized, issue: parsed.error.issues[0]?.path.join(".") });
    throw providerInvalid();
  }
  const meta = parsed.data;
  if (!issuerMatches(meta.issuer, normalized)) {
    // Entra: `…/<tenant>/v2.0` (not the domain name, not the v1 `sts.windows.net` form).
    log("warn", "sso_issuer_mismatch", { configured: normalized, discovered: meta.issuer });
    throw providerInvalid();
  }
  for (const field of ["authorization_endpoint", "token_endpoint", "jwks_uri"] as const) {
    try {
      await checkUrl(meta[field], http, field);
    } catch {
      log("warn", "sso_endpoint_refused", { issuer: normalized, field, url: meta[field] });
      throw providerInvalid();
    }
  }
  if (meta.response_types_supported && !meta.response_types_supported.includes("code")) {
    log("warn", "sso_code_flow_unsupported", { issuer: normalized });
    throw providerInvalid();
  }
  if (metadataCache.size >= CACHE_MAX) metadataCache.delete(metadataCache.keys().next().value ?? "");
  metadataCache.set(key, { meta, expires: Date.now() + CACHE_TTL_MS });
  return meta;
}

/** Exact match (modulo a trailing slash), or Entra's multi-tenant `…/{tenantid}/v2.0` template. */
function issuerMatches(discovered: string, configured: string): boolean {
  const d = stripSlash(discovered);
  if (d === configured) return true;
  const parts = d.split(ENTRA_TEMPLATE);
  if (parts.length !== 2) return false;
  const [pre = "", post = ""] = parts;
  if (!configured.startsWith(pre) || !configured.endsWith(post)) return false;
  return /^[A-Za-z0-9._-]{1,64}$/.test(configured.slice(pre.length, configured.length - post.length));
}

const isTemplate = (meta: OidcMetadata) => meta.issuer.includes(ENTRA_TEMPLATE);

// ---------------------------------------------------------------------------------------------
// Authorization request and callback

/** Build the authorization URL with fresh state, nonce and PKCE verifier (store all three). */
export async function createAuthRequest(
  meta: OidcMetadata,
  cfg: OidcClientConfig,
  opts: { prompt?: "login" | "select_account" | "consent" | "none"; loginHint?: string } = {},
): Promise<OidcAuthRequest> {
  checkTenantPolicy(meta, cfg);
  const state = randomToken("");
  const nonce = randomToken("");
  const codeVerifier = randomToken("");
  const challenge = toBase64Url(new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(codeVerifier))));
  const scopes = cfg.scopes?.length ? cfg.scopes : DEFAULT_SCOPES;
  const target = new URL(meta.authorization_endpoint);
  const params: Record<string, string> = {
    response_type: "code",
    client_id: cfg.clientId,
    redirect_uri: cfg.redirectUri,
    scope: [...new Set(["openid", ...scopes])].join(" "),
    state,
    nonce,
    code_challenge: challenge,
    code_challenge_method: "S256",
  };
  // Query is the default for `code`; say so only to providers that list response modes
  // (Entra, ADFS), because a form_post callback would arrive without SameSite=Lax cookies.
  if (meta.response_modes_supported?.includes("query")) params.response_mode = "query";
  if (opts.prompt) params.prompt = opts.prompt;
  if (opts.loginHint) params.login_hint = opts.loginHint.slice(0, 320);
  for (const [k, v] of Object.entries(params)) target.searchParams.set(k, v);
  return { url: target.href, state, nonce, codeVerifier };
}

/**
 * Read the provider's redirect back to Atrium. Refuses duplicated parameters and, with `meta`,
 * an `iss` parameter naming another issuer (RFC 9207 mix-up defence). The caller then compares
 * `state` with the stored one (checkState) before anything else.
 */
export function parseCallback(callback: URL, meta?: OidcMetadata): OidcCallback {
  const q = callback.searchParams;
  const one = (name: string): string | null => {
    const all = q.getAll(name);
    if (all.length > 1) {
      log("warn", "sso_callback_duplicate_param", { param: name });
      throw failed();
    }
    return all[0] ?? null;
  };
  const code = one("code");
  const state = one("state");
  const error = one("error");
  const errorDescription = one("error_description");
  const iss = one("iss");
  if (meta) {
    const issOk = iss === null ? !meta.authorization_response_iss_parameter_supported : callbackIssuerOk(meta, iss);
    if (!issOk) {
      log("warn", "sso_callback_issuer_mismatch", { expected: meta.issuer, got: iss });
      throw failed();
    }
  }
  const validState = state !== null && /^[\x21-\x7e]{1,512}$/.test(state) ? state : null;
  if (error !== null) {
    return {
      error: /^[\x20-\x21\x23-\x5b\x5d-\x7e]{1,128}$/.test(error) ? error : "invalid_response",
      // Provider text, for logs: never show it to the user verbatim.
      errorDescription: errorDescription ? errorDescription.replace(/[^\x20-\x7e]/g, "").slice(0, 500) : null,
      state: validState,
    };
  }
  if (validState === null) throw stateInvalid();
  if (code === null || !/^[\x21-\x7e]{1,4096}$/.test(code)) throw failed();
  return { code, state: validState };
}

function callbackIssuerOk(meta: OidcMetadata, iss: string): boolean {
  if (!isTemplate(meta)) return iss === meta.issuer;
  const [pre = "", post = ""] = meta.issuer.split(ENTRA_TEMPLATE);
  return iss.startsWith(pre) && iss.endsWith(post) && /^[A-Za-z0-9-]{1,64}$/.test(iss.slice(pre.length, iss.length - post.length));
}

/** Constant-time comparison of the callback's state with the stored one. */
export function checkState(received: string, expected: string): void {
  const a = new TextEncoder().encode(received);
  const b = new TextEncoder().encode(expected);
  let diff = a.length ^ b.length;
  for (let i = 0; i < b.length; i++) diff |= (a[i] ?? 0) ^ (b[i] ?? 0);
  if (diff !== 0 || expected.length === 0) throw stateInvalid();
}

// ---------------------------------------------------------------------------------------------
// Code exchange and ID token verification

const tokenResponse = z.object({ id_token: z.string().min(1).max(16_384) });
const tokenError = z.object({ error: z.string().max(200), error_description: z.string().max(2000).optional() });

const optStr = (max: number) => z.string().max(max).optional().catch(undefined);
const flag = z.union([z.boolean(), z.string(), z.number()]).optional().catch(undefined);
const idClaims = z.object({
  iss: z.string().max(2048),
  sub: z.string().min(1).max(255),
  nonce: optStr(512),
  azp: optStr(255),
  email: optStr(320),
  email_verified: flag,
  xms_edov: flag,
  preferred_username: optStr(320),
  upn: optStr(320),
  name: optStr(1000),
  given_name: optStr(500),
  family_name: optStr(500),
  tid: optStr(64),
  oid: optStr(64),
});

/** Redeem the authorization code and verify the ID token; returns who signed in. */
export async function exchangeCode(
  meta: OidcMetadata,
  cfg: OidcClientConfig,
  input: { code: string; codeVerifier: string; expectedNonce: string },
  http: OidcHttpOptions = {},
): Promise<OidcIdentity> {
  checkTenantPolicy(meta, cfg);
  const form = new URLSearchParams({
    grant_type: "authorization_code",
    code: input.code,
    redirect_uri: cfg.redirectUri,
    code_verifier: input.codeVerifier,
  });
  const headers: Record<string, string> = {
    "content-type": "application/x-www-form-urlencoded",
    accept: "application/json",
  };
  if (authMethod(meta, cfg) === "client_secret_basic") {
    headers.authorization = `Basic ${btoa(`${formEncode(cfg.clientId)}:${formEncode(cfg.clientSecret)}`)}`;
  } else {
    form.set("client_id", cfg.clientId);
    form.set("client_secret", cfg.clientSecret);
  }
  const res = await request(meta.token_endpoint, { method: "POST", headers, body: form.toString() }, http, "token");
  if (res.status !== 200) {
    const err = tokenError.safeParse(safeJson(res.body));
    const fields = { issuer: meta.issuer, status: res.status, ...(err.success ? err.data : {}) };
    if (res.status >= 500) {
      log("warn", "sso_token_endpoint_unavailable", fields);
      throw unreachable();
    }
    // invalid_client means a wrong secret: an administrator's problem, so log it louder.
    log(err.success && err.data.error === "invalid_client" ? "error" : "warn", "sso_token_refused", fields);
    throw res.status >= 400 && res.status < 500 ? failed() : providerInvalid();
  }
  const tokens = tokenResponse.safeParse(parseJson(res.body, "token", meta.issuer));
  if (!tokens.success) {
    log("warn", "sso_token_response_invalid", { issuer: meta.issuer });
    throw providerInvalid();
  }

  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(tokens.data.id_token, keySet(meta.jwks_uri, http), {
      algorithms: ALGORITHMS,
      audience: cfg.clientId,
      clockTolerance: CLOCK_TOLERANCE_S,
      maxTokenAge: "1h",
      requiredClaims: ["iss", "sub", "aud", "exp", "iat"],
    }));
  } catch (err) {
    if (err instanceof AppError) throw err;
    if (err instanceof joseErrors.JWKSTimeout) throw unreachable();
    log("warn", "sso_id_token_invalid", { issuer: meta.issuer, reason: joseReason(err) });
    throw failed();
  }
  const claims = idClaims.safeParse(payload);
  if (!claims.success) {
    log("warn", "sso_id_token_claims_invalid", { issuer: meta.issuer, issue: claims.error.issues[0]?.path.join(".") });
    throw failed();
  }
  const c = claims.data;
  if (!expectedIssuers(meta, c.tid).includes(c.iss)) {
    log("warn", "sso_id_token_issuer_mismatch", { expected: meta.issuer, got: c.iss, tid: c.tid });
    throw failed();
  }
  if (isTemplate(meta) && !(c.tid && cfg.allowedTenantIds?.includes(c.tid))) {
    log("warn", "sso_tenant_not_allowed", { issuer: meta.issuer, tid: c.tid });
    throw new AppError("forbidden", "Your organisation's directory is not allowed to sign in here.", {
      code: "sso_tenant_not_allowed",
    });
  }
  const audiences = Array.isArray(payload.aud) ? payload.aud : [payload.aud];
  if ((audiences.length > 1 || c.azp !== undefined) && c.azp !== cfg.clientId) {
    log("warn", "sso_id_token_azp_mismatch", { issuer: meta.issuer, azp: c.azp });
    throw failed();
  }
  if (!input.expectedNonce || c.nonce !== input.expectedNonce) {
    log("warn", "sso_nonce_mismatch", { issuer: meta.issuer, present: c.nonce !== undefined });
    throw new AppError("unauthorized", "This sign-in response does not belong to this sign-in attempt; start again.", {
      code: "sso_nonce_mismatch",
    });
  }
  return toIdentity(c);
}

/** What `iss` may say: the discovered issuer; Entra's template filled with `tid`; Google's bare host. */
function expectedIssuers(meta: OidcMetadata, tid: string | undefined): string[] {
  if (isTemplate(meta)) {
    return tid && /^[A-Za-z0-9-]{1,64}$/.test(tid) ? [meta.issuer.replace(ENTRA_TEMPLATE, tid)] : [];
  }
  if (meta.issuer === "https://accounts.google.com") return [meta.issuer, "accounts.google.com"];
  return [meta.issuer];
}

function toIdentity(c: z.infer<typeof idClaims>): OidcIdentity {
  const asEmail = (v: string | undefined): string | null => {
    const s = v?.trim().toLowerCase();
    // Entra guests' UPNs (`alice_example.com#ext#@contoso.onmicrosoft.com`) are not mailboxes.
    return s && /^[^\s@#]+@[a-z0-9.-]+\.[a-z]{2,}$/.test(s) ? s : null;
  };
  const yes = (v: unknown) => v === true || v === "true" || v === "1" || v === 1;
  const direct = asEmail(c.email);
  const email = direct ?? asEmail(c.preferred_username) ?? asEmail(c.upn);
  const name = (c.name ?? [c.given_name, c.family_name].filter(Boolean).join(" ")).trim().slice(0, 200);
  return {
    issuer: c.iss,
    subject: c.sub,
    email,
    emailVerified: direct !== null && (yes(c.email_verified) || yes(c.xms_edov)),
    name: name || null,
    ...(c.tid ? { tenantId: c.tid } : {}),
    ...(c.oid ? { objectId: c.oid } : {}),
  };
}

function checkTenantPolicy(meta: OidcMetadata, cfg: OidcClientConfig): void {
  if (isTemplate(meta) && !cfg.allowedTenantIds?.length) {
    throw misconfigured("allowedTenantIds", "A multi-tenant Entra ID issuer needs the list of allowed directory (tenant) ids.");
  }
}

/** client_secret_basic unless the provider lacks it, or the secret would need form-encoding
 * (providers disagree on decoding it) and client_secret_post is offered. */
function authMethod(meta: OidcMetadata, cfg: OidcClientConfig): "client_secret_basic" | "client_secret_post" {
  const supported = meta.token_endpoint_auth_methods_supported ?? ["client_secret_basic"];
  const basic = supported.includes("client_secret_basic");
  const post = supported.includes("client_secret_post");
  const plain = formEncode(cfg.clientId) === cfg.clientId && formEncode(cfg.clientSecret) === cfg.clientSecret;
  if (basic && (plain || !post)) return "client_secret_basic";
  if (post) return "client_secret_post";
  log("warn", "sso_auth_method_unsupported", { issuer: meta.issuer, supported });
  throw providerInvalid();
}

function keySet(jwksUri: string, http: OidcHttpOptions): ReturnType<typeof createRemoteJWKSet> {
  const fetchJwks: FetchImplementation = async (href, options) => {
    const res = await request(href, { method: "GET", headers: options.headers, signal: options.signal }, http, "jwks");
    if (res.status !== 200) {
      log("warn", "sso_jwks_status", { url: href, status: res.status });
      throw res.status >= 500 ? unreachable() : providerInvalid();
    }
    return new Response(res.body, { status: 200, headers: { "content-type": "application/json" } });
  };
  const make = () => createRemoteJWKSet(new URL(jwksUri), { timeoutDuration: http.timeoutMs ?? 10_000, [customFetch]: fetchJwks });
  if (http.fetch) return make(); // an injected fetch (tests) gets its own, uncached set
  let set = jwksCache.get(jwksUri);
  if (!set) {
    if (jwksCache.size >= CACHE_MAX) jwksCache.delete(jwksCache.keys().next().value ?? "");
    set = make();
    jwksCache.set(jwksUri, set);
  }
  return set;
}

function joseReason(err: unknown): string {
  if (err instanceof joseErrors.JOSEError) return `${err.code}: ${err.message}`;
  return err instanceof Error ? err.name : "unknown";
}

// ---------------------------------------------------------------------------------------------
// Small encoders

const stripSlash = (s: string) => s.replace(/\/+$/, "");

/** application/x-www-form-urlencoded, as RFC 6749 §2.3.1 asks for Basic credentials. */
const formEncode = (s: string) => encodeURIComponent(s).replace(/%20/g, "+");
