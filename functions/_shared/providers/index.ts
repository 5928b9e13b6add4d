// One streaming layer over every LLM: createAdapter(connection) picks the SDK driver for its type.
import { makeAdapter } from "./adapter.ts";
import type { Driver } from "./adapter.ts";
import { anthropicDriver } from "./anthropic.ts";
import { demoDriver } from "./demo.ts";
import { googleDriver } from "./google.ts";
import { openaiDriver } from "./openai.ts";
import { defaultRetryPolicy } from "./retry.ts";
import type { RetryPolicy } from "./retry.ts";
import type { ProviderAdapter, ProviderConnection } from "./types.ts";

export type * from "./types.ts";
export type { RetryPolicy } from "./retry.ts";
export { defaultRetryPolicy } from "./retry.ts";
export { defaultAzureApiVersion } from "./openai.ts";
export { resolveQuirks } from "./quirks.ts";

export interface AdapterOptions {
  /** Override the retry bounds (tests shorten them). */
  retry?: Partial<RetryPolicy>;
}

function driver(conn: ProviderConnection): Driver {
  switch (conn.type) {
    case "anthropic":
      return anthropicDriver(conn);
    case "google":
      return googleDriver(conn);
    case "demo":
      return demoDriver;
    case "openai":
    case "mistral":
    case "xai":
    case "azure_openai":
    case "openai_compatible":
      return openaiDriver(conn);
  }
}

/**
 * The adapter for one provider connection. Throws AppError `provider_misconfigured` when the
 * connection lacks what its type needs (a key, or a base URL for Azure and compatible servers).
 */
export function createAdapter(conn: ProviderConnection, options: AdapterOptions = {}): ProviderAdapter {
  return makeAdapter(driver(conn), conn, { ...defaultRetryPolicy, ...options.retry });
}
