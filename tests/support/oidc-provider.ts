// A real OpenID provider (npm `oidc-provider` v9) on 127.0.0.1 for Atrium's SSO tests:
// authorization code + PKCE (S256, required) + state + nonce, RS256 ID tokens signed with a key
// generated per instance (served at jwks_uri), confidential clients, accounts defined by the test,
// and a browser-less login(): fetch with manual redirects and a cookie jar, the provider's
// login/consent interactions completed by this harness's own /interaction/:uid route through
// provider.interactionDetails()/interactionFinished() (dev interactions are disabled).
//
// Usage:
//   const op = await startOidcProvider({
//     clients: [{ client_id: "atrium", client_secret: "s3cret", redirect_uris: [cb] }],
//     accounts: [{ sub: "alice", email: "alice@example.com", name: "Alice" }],
//   });
//   const redirect = await op.login(authorizeUrl, "alice"); // -> `${cb}?code=...&state=...`
//   await op.close();
import { randomBytes, randomUUID } from "node:crypto";
import { createServer } from "node:http";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { exportJWK, generateKeyPair } from "jose";
import type { JWK } from "jose";
import { Provider } from "oidc-provider";
import type { Account, AccountClaims, ClientMetadata, Configuration, Interaction } from "oidc-provider";
import { CookieJar } from "./oidc/cookie-jar.ts";
import { createMemoryAdapterFactory } from "./oidc/memory-adapter.ts";

export { CookieJar } from "./oidc/cookie-jar.ts";

export interface OidcTestClient {
  client_id: string;
  client_secret: string;
  redirect_uris: string[];
  /** Default `client_secret_basic`. */
  token_endpoint_auth_method?: "client_secret_basic" | "client_secret_post";
  post_logout_redirect_uris?: string[];
}

export interface OidcTestAccount {
  /** Subject; also the account id given to login(). */
  sub: string;
  /** Leave undefined for an Entra-ID-like account without `email` (use preferred_username). */
  email?: string;
  /** Defaults to true when `email` is set; never emitted without `email`. */
  email_verified?: boolean;
  name?: string;
  given_name?: string;
  family_name?: string;
  /** Entra ID: the UPN / sign-in name (often the only e-mail-like claim). `profile` scope. */
  preferred_username?: string;
  /** Entra ID tenant id. Emitted with the `openid` scope. */
  tid?: string;
  /** Entra ID object id (stable per tenant). Emitted with the `openid` scope. */
  oid?: string;
  /**
   * Further claims, emitted with the `openid` scope. Their names must be known at start: they are
   * collected from the initial `accounts` and `extraClaims` options (oidc-provider only releases
   * claims mapped to a scope).
   */
  claims?: Record<string, unknown>;
}

export interface StartOidcProviderOptions {
  clients: OidcTestClient[];
  accounts?: OidcTestAccount[];
  /** Names of extra claims (besides those of the initial accounts) to release with `openid`. */
  extraClaims?: string[];
  /**
   * Path appended to the issuer, e.g. `/<tenant-id>/v2.0` for an Entra-ID-like issuer
   * `http://127.0.0.1:<port>/<tenant-id>/v2.0`. Default: none (issuer is the bare origin).
   */
  issuerPath?: string;
  /** Decision used when /interaction/:uid is reached without one (e.g. by a real browser). */
  autoDecision?: InteractionDecision;
  /** Seconds; default 3600. */
  idTokenTtl?: number;
}

/** How the harness completes the provider's interaction: log in as an account, or fail. */
export type InteractionDecision =
  | { accountId: string }
  | { error: string; error_description?: string };

export interface OidcTestProvider {
  /** `http://127.0.0.1:<port>` (+ issuerPath), exactly as in `iss` and discovery. */
  readonly issuer: string;
  /** `${issuer}/.well-known/openid-configuration` */
  readonly discoveryUrl: string;
  readonly port: number;
  /** The underlying oidc-provider instance (escape hatch; e.g. `.on("server_error", ...)`). */
  readonly provider: Provider;
  /** Errors the provider reported as `server_error` (bugs, not protocol errors). */
  readonly serverErrors: readonly Error[];
  /** Adds or replaces (by `sub`) an account; visible to the next token issued. */
  setAccount(account: OidcTestAccount): void;
  removeAccount(sub: string): void;
  getAccount(sub: string): OidcTestAccount | undefined;
  /**
   * Runs the authorization request in `authorizeUrl` (absolute URL to the provider's
   * authorization endpoint) as `accountId`, completing login and consent, and returns the final
   * redirect URL to the client's redirect_uri (with `code` and `state`, or `error`) WITHOUT
   * requesting it. Throws when the provider answers with a non-redirect (e.g. bad client_id or
   * redirect_uri, which are not redirected back to the client by design).
   */
  login(authorizeUrl: string, accountId: string): Promise<string>;
  /** Like login() but the interaction ends with `error` (default `access_denied`). */
  deny(authorizeUrl: string, error?: string, errorDescription?: string): Promise<string>;
  /** General form of login()/deny(). */
  authorize(authorizeUrl: string, decision: InteractionDecision): Promise<string>;
  /** Sets the fallback decision for interactions reached without one (real browser tests). */
  setAutoDecision(decision: InteractionDecision | undefined): void;
  close(): Promise<void>;
}

const STANDARD_CLAIMS = {
  openid: ["sub", "tid", "oid"],
  email: ["email", "email_verified"],
  profile: ["name", "given_name", "family_name", "preferred_username"],
} as const;

const MAX_REDIRECTS = 20;

function accountClaims(account: OidcTestAccount): AccountClaims {
  const out: AccountClaims = { ...account.claims, sub: account.sub };
  if (account.email !== undefined) {
    out.email = account.email;
    out.email_verified = account.email_verified ?? true;
  }
  for (const key of ["name", "given_name", "family_name", "preferred_username", "tid", "oid"] as const) {
    const value = account[key];
    if (value !== undefined) out[key] = value;
  }
  return out;
}

function normalizeIssuerPath(path: string | undefined): string {
  if (!path || path === "/") return "";
  const withSlash = path.startsWith("/") ? path : `/${path}`;
  return withSlash.endsWith("/") ? withSlash.slice(0, -1) : withSlash;
}

function stripQuery(url: string): string {
  const u = new URL(url);
  return `${u.origin}${u.pathname}`;
}

function sendText(res: ServerResponse, status: number, text: string): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  res.statusCode = status;
  res.setHeader("Content-Type", "text/plain; charset=utf-8");
  res.setHeader("Cache-Control", "no-store");
  res.end(text);
}

function decisionFromQuery(params: URLSearchParams): InteractionDecision | undefined {
  const error = params.get("error");
  if (error) {
    const description = params.get("error_description");
    return description ? { error, error_description: description } : { error };
  }
  const accountId = params.get("account");
  return accountId ? { accountId } : undefined;
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      server.off("error", reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

export async function startOidcProvider(opts: StartOidcProviderOptions): Promise<OidcTestProvider> {
  if (opts.clients.length === 0) throw new Error("startOidcProvider: at least one client is required");

  const accounts = new Map<string, OidcTestAccount>();
  for (const account of opts.accounts ?? []) accounts.set(account.sub, account);
  let autoDecision = opts.autoDecision;
  const serverErrors: Error[] = [];
  const basePath = normalizeIssuerPath(opts.issuerPath);
  const interactionPrefix = `${basePath}/interaction/`;
  const redirectUris = new Set(opts.clients.flatMap((c) => c.redirect_uris.map(stripQuery)));

  // The issuer needs the port, so listen first and attach the provider afterwards.
  let handle: ((req: IncomingMessage, res: ServerResponse) => void) | undefined;
  const server = createServer((req, res) => {
    if (!handle) {
      sendText(res, 503, "provider starting");
      return;
    }
    handle(req, res);
  });
  const port = await listen(server);
  const origin = `http://127.0.0.1:${port}`;
  const issuer = `${origin}${basePath}`;

  // Signing key: RS256, generated per instance.
  const { privateKey } = await generateKeyPair("RS256", { extractable: true });
  const signingJwk: JWK = { ...(await exportJWK(privateKey)), kid: randomUUID(), alg: "RS256", use: "sig" };

  const openidClaims = new Set<string>(STANDARD_CLAIMS.openid);
  for (const name of opts.extraClaims ?? []) openidClaims.add(name);
  for (const account of accounts.values()) for (const name of Object.keys(account.claims ?? {})) openidClaims.add(name);

  const clients: ClientMetadata[] = opts.clients.map((c) => ({
    client_id: c.client_id,
    client_secret: c.client_secret,
    redirect_uris: c.redirect_uris,
    ...(c.post_logout_redirect_uris ? { post_logout_redirect_uris: c.post_logout_redirect_uris } : {}),
    token_endpoint_auth_method: c.token_endpoint_auth_method ?? "client_secret_basic",
    grant_types: ["authorization_code"],
    response_types: ["code"],
    id_token_signed_response_alg: "RS256",
  }));

  const configuration: Configuration = {
    clients,
    findAccount(_ctx, sub): Account | undefined {
      if (!accounts.has(sub)) return undefined;
      return {
        accountId: sub,
        claims() {
          const current = accounts.get(sub);
          // Removed after login: still answer with the subject only.
          return current ? accountClaims(current) : { sub };
        },
      };
    },
    claims: {
      openid: [...openidClaims],
      email: [...STANDARD_CLAIMS.email],
      profile: [...STANDARD_CLAIMS.profile],
    },
    scopes: ["openid", "email", "profile", "offline_access"],
    responseTypes: ["code"],
    // Put the scope's claims (email, name, ...) in the ID token too, as Entra ID and Google do;
    // the default (true) keeps them to userinfo whenever an access token is issued.
    conformIdTokenClaims: false,
    // PKCE (S256 is the only method v9 supports) for every client, not only public ones.
    pkce: { required: () => true },
    // Test provider: allow any CORS origin (the default allows only public clients/userinfo).
    clientBasedCORS: () => true,
    cookies: { keys: [randomBytes(32).toString("base64url")] },
    jwks: { keys: [signingJwk] },
    interactions: { url: (_ctx, interaction) => `${interactionPrefix}${interaction.uid}` },
    features: {
      devInteractions: { enabled: false },
      // Keep the surface small; userinfo stays on (default) for apps that call it.
      revocation: { enabled: false },
      introspection: { enabled: false },
    },
    // Explicit values (seconds) also silence oidc-provider's "default ttl.X called" notices.
    ttl: {
      AccessToken: 3600,
      AuthorizationCode: 60,
      Grant: 14 * 24 * 3600,
      IdToken: opts.idTokenTtl ?? 3600,
      Interaction: 3600,
      Session: 14 * 24 * 3600,
    },
    // Own per-instance store: the built-in one works too but warns on every start.
    adapter: createMemoryAdapterFactory(),
    // Plain JSON instead of the default HTML error page (shows up in login() error messages).
    renderError(ctx, out) {
      ctx.type = "application/json";
      ctx.body = JSON.stringify(out);
    },
  };

  const provider = new Provider(issuer, configuration);
  provider.on("server_error", (...args: unknown[]) => {
    const err = args[1];
    serverErrors.push(err instanceof Error ? err : new Error(String(err)));
  });
  const providerCallback = provider.callback();

  async function handleInteraction(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const uid = decodeURIComponent(url.pathname.slice(interactionPrefix.length));
    if (req.method !== "GET" || !uid || uid.includes("/")) {
      sendText(res, 404, "not found");
      return;
    }
    let interaction: Interaction;
    try {
      interaction = await provider.interactionDetails(req, res);
    } catch (err) {
      sendText(res, 400, `interaction not found: ${err instanceof Error ? err.message : String(err)}`);
      return;
    }
    if (interaction.uid !== uid) {
      sendText(res, 400, "interaction cookie does not match the URL");
      return;
    }
    const decision = decisionFromQuery(url.searchParams) ?? autoDecision;
    if (!decision) {
      sendText(res, 400, "no decision: use login()/deny(), ?account=<sub>, or setAutoDecision()");
      return;
    }
    if ("error" in decision) {
      await provider.interactionFinished(req, res, { ...decision }, { mergeWithLastSubmission: false });
      return;
    }
    const { prompt } = interaction;
    if (prompt.name === "login") {
      if (!accounts.has(decision.accountId)) {
        sendText(res, 400, `unknown account ${decision.accountId}`);
        return;
      }
      await provider.interactionFinished(
        req,
        res,
        { login: { accountId: decision.accountId } },
        { mergeWithLastSubmission: false },
      );
      return;
    }
    if (prompt.name === "consent") {
      const accountId = interaction.session?.accountId;
      const clientId = interaction.params.client_id;
      if (!accountId || typeof clientId !== "string") {
        sendText(res, 400, "consent prompt without session or client");
        return;
      }
      const existing = interaction.grantId ? await provider.Grant.find(interaction.grantId) : undefined;
      const grant = existing ?? new provider.Grant({ accountId, clientId });
      const { details } = prompt;
      if (details.missingOIDCScope) grant.addOIDCScope(details.missingOIDCScope.join(" "));
      if (details.missingOIDCClaims) grant.addOIDCClaims(details.missingOIDCClaims);
      for (const [indicator, scopes] of Object.entries(details.missingResourceScopes ?? {})) {
        grant.addResourceScope(indicator, scopes.join(" "));
      }
      const grantId = await grant.save();
      await provider.interactionFinished(
        req,
        res,
        { consent: existing ? {} : { grantId } },
        { mergeWithLastSubmission: true },
      );
      return;
    }
    sendText(res, 400, `unsupported prompt ${prompt.name}`);
  }

  handle = (req, res) => {
    const url = new URL(req.url ?? "/", origin);
    if (url.pathname.startsWith(interactionPrefix)) {
      handleInteraction(req, res, url).catch((err: unknown) => {
        serverErrors.push(err instanceof Error ? err : new Error(String(err)));
        sendText(res, 500, "interaction failed");
      });
      return;
    }
    if (basePath) {
      if (url.pathname !== basePath && !url.pathname.startsWith(`${basePath}/`)) {
        sendText(res, 404, "not found");
        return;
      }
      // Mounted like express would do it: oidc-provider derives its mount path from
      // req.originalUrl minus req.url.
      const originalUrl = req.url ?? "/";
      Object.assign(req, { originalUrl });
      req.url = originalUrl.slice(basePath.length) || "/";
    }
    providerCallback(req, res);
  };

  async function authorize(authorizeUrl: string, decision: InteractionDecision): Promise<string> {
    if ("accountId" in decision && !accounts.has(decision.accountId)) {
      throw new Error(`oidc test provider: unknown account ${decision.accountId}`);
    }
    const jar = new CookieJar();
    let url = new URL(authorizeUrl, issuer).href;
    for (let hop = 0; hop < MAX_REDIRECTS; hop++) {
      const target = new URL(url);
      if (target.origin === origin && target.pathname.startsWith(interactionPrefix)) {
        target.search = "";
        if ("error" in decision) {
          target.searchParams.set("error", decision.error);
          if (decision.error_description) target.searchParams.set("error_description", decision.error_description);
        } else {
          target.searchParams.set("account", decision.accountId);
        }
      }
      const cookie = jar.headerFor(target);
      const res = await fetch(target, {
        redirect: "manual",
        headers: cookie ? { cookie } : {},
      });
      jar.storeFrom(target, res);
      const location = res.headers.get("location");
      if (res.status >= 300 && res.status < 400 && location) {
        await res.body?.cancel();
        const next = new URL(location, target).href;
        if (new URL(next).origin !== origin || redirectUris.has(stripQuery(next))) return next;
        url = next;
        continue;
      }
      const body = await res.text();
      throw new Error(
        `oidc test provider: expected a redirect from ${target.pathname}, got ${res.status}: ${body.slice(0, 800)}`,
      );
    }
    throw new Error(`oidc test provider: more than ${MAX_REDIRECTS} redirects`);
  }

  let closed: Promise<void> | undefined;
  return {
    issuer,
    discoveryUrl: `${issuer}/.well-known/openid-configuration`,
    port,
    provider,
    serverErrors,
    setAccount(account) {
      accounts.set(account.sub, account);
    },
    removeAccount(sub) {
      accounts.delete(sub);
    },
    getAccount(sub) {
      return accounts.get(sub);
    },
    login: (authorizeUrl, accountId) => authorize(authorizeUrl, { accountId }),
    deny: (authorizeUrl, error = "access_denied", errorDescription) =>
      authorize(
        authorizeUrl,
        errorDescription === undefined ? { error } : { error, error_description: errorDescription },
      ),
    authorize,
    setAutoDecision(decision) {
      autoDecision = decision;
    },
    close() {
      closed ??= new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        // Drop keep-alive sockets (fetch pools them) so close() resolves immediately.
        server.closeAllConnections();
      });
      return closed;
    },
  };
}

/**
 * An account shaped like what Microsoft Entra ID puts in ID tokens: `tid`, `oid`,
 * `preferred_username` (the UPN) and, by default, NO `email` claim.
 */
export function entraLikeAccount(input: {
  /** Entra's `sub` is pairwise per app; any opaque string will do. Default: random. */
  sub?: string;
  tid: string;
  oid?: string;
  preferred_username: string;
  name?: string;
  /** Set to also emit `email` (Entra does when the user has a mail attribute and the app asks). */
  email?: string;
  claims?: Record<string, unknown>;
}): OidcTestAccount {
  return {
    sub: input.sub ?? randomBytes(16).toString("base64url"),
    tid: input.tid,
    oid: input.oid ?? randomUUID(),
    preferred_username: input.preferred_username,
    ...(input.name !== undefined ? { name: input.name } : {}),
    ...(input.email !== undefined ? { email: input.email } : {}),
    ...(input.claims !== undefined ? { claims: input.claims } : {}),
  };
}
