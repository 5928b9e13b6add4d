// What every SDK client is built with from a ProviderConnection: extra headers, base URLs, config errors.
import { AppError } from "../errors.ts";
import { log } from "../log.ts";
import type { ProviderConnection } from "./types.ts";

/** Headers an admin's extra headers may not set: they belong to the transport or to the SDK's auth. */
const reserved = /^(host|content-length|connection|transfer-encoding|keep-alive|upgrade|te|trailer|proxy-.*)$/i;

/** The provider's extra headers, minus those that would change the transport. */
export function connectionHeaders(conn: ProviderConnection): Record<string, string> {
  return Object.fromEntries(Object.entries(conn.extraHeaders ?? {}).filter(([name]) => !reserved.test(name)));
}

export function trimSlash(url: string): string {
  return url.replace(/\/+$/, "");
}

/** A stored provider that lacks what its type needs (checked when the adapter is made). */
export function misconfigured(type: string, missing: string): AppError {
  log("warn", "provider_misconfigured", { provider: type, missing });
  return new AppError("upstream_error", "The model provider is not fully configured; an admin should check it.", {
    code: "provider_misconfigured",
  });
}
