// The HTTP side of the OIDC relying party: every call through the shared SSRF guard, no
// redirects, a timeout and bounded bodies; and the errors both discovery and code exchange
// answer with (public messages stay generic, details go to the log).
import { AppError } from "./errors.ts";
import { log } from "./log.ts";
import { checkUrl as checkOutboundUrl, guardedFetch } from "./net-guard.ts";

export interface OidcHttpOptions {
  /** Defaults to the global fetch. */
  fetch?: typeof fetch;
  /** Accept `http://127.0.0.1`, `http://[::1]` and `http://localhost` (local stack and tests). */
  allowHttpLoopback?: boolean;
  /** Per request; default 10 s. */
  timeoutMs?: number;
}

const MAX_DOC_BYTES = 256 * 1024;

// ---------------------------------------------------------------------------------------------
// Errors: public messages stay generic; the details go to the log.

export const failed = () =>
  new AppError("unauthorized", "Single sign-on failed; try again or contact your administrator.", {
    code: "sso_failed",
  });
export const stateInvalid = () =>
  new AppError("unauthorized", "This sign-in attempt expired or was not started here; start again.", {
    code: "sso_state_invalid",
  });
export const unreachable = () =>
  new AppError("upstream_unavailable", "The identity provider could not be reached; try again shortly.", {
    code: "sso_provider_unreachable",
    headers: { "retry-after": "5" },
  });
export const providerInvalid = () =>
  new AppError(
    "upstream_error",
    "The identity provider answered unexpectedly; ask an administrator to check the single sign-on settings.",
    { code: "sso_provider_invalid" },
  );
export const misconfigured = (field: string, message: string) =>
  new AppError("validation_failed", message, { code: "sso_misconfigured", field });

// ---------------------------------------------------------------------------------------------
// HTTP: no redirects, a timeout, bounded bodies, https only (loopback http when allowed).

export async function request(
  href: string,
  init: RequestInit,
  http: OidcHttpOptions,
  what: string,
): Promise<{ status: number; body: string }> {
  const doFetch = guardedFetch({ ...outboundPolicy(http), field: what, fetch: http.fetch });
  try {
    const res = await doFetch(href, { ...init, signal: init.signal ?? AbortSignal.timeout(http.timeoutMs ?? 10_000) });
    return { status: res.status, body: await readBounded(res, MAX_DOC_BYTES, what) };
  } catch (err) {
    if (err instanceof AppError && err.code === "upstream_redirect") return { status: 302, body: "" }; // logged by the guard
    if (err instanceof AppError && err.code === "url_not_allowed") {
      log("warn", "sso_endpoint_refused", { what, url: href, reason: err.message });
      throw providerInvalid();
    }
    if (err instanceof AppError) throw err;
    log("warn", "sso_provider_unreachable", { what, url: href, error: err });
    throw unreachable();
  }
}

export async function readBounded(res: Response, max: number, what: string): Promise<string> {
  const tooLarge = async () => {
    log("warn", "sso_response_too_large", { what, max });
    return providerInvalid();
  };
  if (Number(res.headers.get("content-length") ?? 0) > max) {
    await res.body?.cancel();
    throw await tooLarge();
  }
  if (!res.body) return "";
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      await reader.cancel();
      throw await tooLarge();
    }
    chunks.push(value);
  }
  const all = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    all.set(chunk, at);
    at += chunk.byteLength;
  }
  return new TextDecoder().decode(all);
}

export function parseJson(body: string, what: string, issuer: string): unknown {
  const value = safeJson(body);
  if (value === undefined) {
    log("warn", "sso_response_not_json", { what, issuer });
    throw providerInvalid();
  }
  return value;
}

export function safeJson(body: string): unknown {
  try {
    return JSON.parse(body) as unknown;
  } catch {
    return undefined;
  }
}

/** Public https identity providers only; loopback (http too) for the local stack and tests. */
const outboundPolicy = (http: OidcHttpOptions) => ({ allowPrivateNetwork: false, allowLoopback: http.allowHttpLoopback === true });

/** The shared SSRF rules (net-guard.ts), reported as this module's configuration error. */
export async function checkUrl(raw: string, http: OidcHttpOptions, field: string): Promise<URL> {
  try {
    return await checkOutboundUrl(raw, { ...outboundPolicy(http), field });
  } catch (err) {
    if (err instanceof AppError && err.code === "url_not_allowed") throw misconfigured(field, err.message);
    throw err;
  }
}

