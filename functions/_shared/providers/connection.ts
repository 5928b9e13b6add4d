// From a provider row to a live connection: its sealed secrets opened for a caller who may use
// it, every request through the SSRF guard, and OAuth client-credentials tokens fetched,
// cached sealed and refreshed before they expire.
import { encryptSecret, sealedVersion } from "../crypto.ts";
import type { Tx } from "../db.ts";
import { AppError } from "../errors.ts";
import { log } from "../log.ts";
import { checkUrl, guardedFetch } from "../net-guard.ts";
import { binding, type OpenSecret, openSecrets } from "../provider-store.ts";
import type { Provider } from "../../../shared/providers.ts";
import type { ProviderConnection } from "./types.ts";

/** Base URLs and token endpoints: https, public unless the provider allows private networks. */
export async function checkProviderUrl(url: string, allowPrivateNetwork: boolean, field: string): Promise<URL> {
  return await checkUrl(url, { allowPrivateNetwork, field });
}

/** Refresh OAuth tokens this long before they expire. */
const REFRESH_MARGIN_MS = 5 * 60_000;

/**
 * Build the connection for a call. Resolves the bearer token now, inside the caller's
 * transaction, so no transaction stays open while the upstream answers.
 */
export async function connectionFor(tx: Tx, tenantId: string, p: Provider): Promise<ProviderConnection> {
  if (p.type === "demo") return { type: "demo" }; // offline: no network, no secret
  if (!p.base_url) throw new AppError("validation_failed", "base_url: this provider needs one", { field: "base_url", code: "provider_misconfigured" });
  await checkProviderUrl(p.base_url, p.allow_private_network, "base_url");
  const fetch = guardedFetch({ allowPrivateNetwork: p.allow_private_network, field: "base_url" });
  const secrets = await openSecrets(tx, tenantId, p.id);
  const conn: ProviderConnection = {
    type: p.type,
    baseUrl: p.base_url,
    apiVersion: p.api_version ?? undefined,
    organization: p.organization ?? undefined,
    deployments: p.deployments,
    extraHeaders: p.extra_params,
    fetch,
  };
  if (p.auth_type === "oauth_client_credentials") {
    const token = await oauthToken(tx, tenantId, p, secrets, fetch);
    conn.getToken = () => Promise.resolve(token);
  } else {
    // Local OpenAI-compatible servers (Ollama, llama.cpp) often need no key; the adapter then
    // sends no Authorization header at all.
    conn.apiKey = secrets.get("api_key")?.value;
    if (!conn.apiKey && p.type !== "openai_compatible") {
      throw new AppError("conflict", "This provider has no API key yet; an admin must set one.", { code: "provider_key_missing" });
    }
  }
  return conn;
}

async function oauthToken(
  tx: Tx,
  tenantId: string,
  p: Provider,
  secrets: Map<string, OpenSecret>,
  fetch: typeof globalThis.fetch,
): Promise<string> {
  const cached = secrets.get("oauth_access_token");
  if (cached?.expiresAt && cached.expiresAt.getTime() - Date.now() > REFRESH_MARGIN_MS) return cached.value;
  const { token_url: tokenUrl, client_id: clientId, scope } = p.oauth;
  const clientSecret = secrets.get("oauth_client_secret")?.value;
  if (!tokenUrl || !clientId || !clientSecret) {
    throw new AppError("conflict", "This provider's OAuth client is not fully configured.", { code: "provider_key_missing" });
  }
  const tokenFetch = guardedFetch({ allowPrivateNetwork: p.allow_private_network, field: "oauth.token_url", timeoutMs: 15_000 });
  const res = await tokenFetch(tokenUrl, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", accept: "application/json" },
    body: new URLSearchParams({ grant_type: "client_credentials", client_id: clientId, client_secret: clientSecret, ...(scope ? { scope } : {}) }),
  }).catch((err: unknown) => {
    if (err instanceof AppError) throw err;
    log("warn", "provider_token_unreachable", { providerId: p.id, error: err });
    throw new AppError("upstream_unavailable", "The provider's token endpoint did not answer.", { code: "provider_auth_unavailable" });
  });
  const body = (await res.json().catch(() => ({}))) as { access_token?: unknown; expires_in?: unknown };
  if (!res.ok || typeof body.access_token !== "string") {
    log("warn", "provider_token_refused", { providerId: p.id, status: res.status });
    throw new AppError("upstream_error", "The provider's token endpoint refused the client credentials.", { code: "provider_auth_failed" });
  }
  const expiresIn = typeof body.expires_in === "number" ? body.expires_in : Number(body.expires_in ?? 3600) || 3600;
  const expiresAt = new Date(Date.now() + expiresIn * 1000);
  const id = cached?.id ?? crypto.randomUUID();
  const sealed = await encryptSecret(body.access_token, binding(tenantId, id, "oauth_access_token"));
  await tx`select app.cache_provider_token(${p.id}, ${id}, ${sealed}, ${sealedVersion(sealed)}, ${expiresAt})`;
  return body.access_token;
}
