// The one interface over every LLM provider: a stream of text deltas, then usage and finish reason.
// Adapters (openai.ts, anthropic.ts, google.ts) hide each SDK; nothing here touches the database.

export type ProviderType = "openai" | "anthropic" | "google" | "mistral" | "xai" | "azure_openai" | "openai_compatible" | "demo";

/** The fetch the SDKs use; the caller passes an SSRF-guarded one. */
export type Fetch = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

/** Where and how to reach one tenant's provider (decrypted secrets, resolved by the caller). */
export interface ProviderConnection {
  type: ProviderType;
  /** API root: `…/v1` for OpenAI-style servers, the resource endpoint for Azure, the host for Anthropic and Gemini. */
  baseUrl?: string;
  apiKey?: string;
  /** Bearer token source (OAuth client credentials, e.g. Entra ID for Azure); used instead of apiKey. */
  getToken?: () => Promise<string>;
  /** Azure `api-version` (or "v1" for Azure's v1 API); Gemini's path version (default v1beta). */
  apiVersion?: string;
  /** OpenAI organisation header. */
  organization?: string;
  /** Azure: model id → deployment name. */
  deployments?: Record<string, string>;
  extraHeaders?: Record<string, string>;
  /** Used for every SDK request; defaults to the global fetch. */
  fetch?: typeof fetch;
}

export interface ChatMessage {
  role: "system" | "user" | "assistant";
  content: string;
}

/** Parameter differences between models, kept out of the callers. Unset fields are inferred from the model id. */
export interface ModelQuirks {
  /** The model refuses `temperature` (OpenAI o-series and gpt-5 reasoning models). */
  noTemperature?: boolean;
  /** Name of the output limit in OpenAI-style requests. */
  maxTokensParam?: "max_tokens" | "max_completion_tokens";
  /** How system prompts are sent to OpenAI-style models; "none" folds them into the first user message. */
  systemRole?: "system" | "developer" | "none";
}

export interface ChatRequest {
  /** The provider's model id (Azure: mapped to a deployment through `deployments`). */
  model: string;
  messages: ChatMessage[];
  temperature?: number;
  maxOutputTokens?: number;
  /**
   * Cancels the upstream HTTP request. Afterwards the call throws `signal.reason`, except that a
   * deadline (`AbortSignal.timeout`) throws AppError `provider_timeout` (504).
   */
  signal?: AbortSignal;
  quirks?: ModelQuirks;
  /** Correlates the provider error logs with the caller's request. */
  requestId?: string;
}

export interface Usage {
  inputTokens: number;
  outputTokens: number;
}

/**
 * What a stream yields: text deltas, then exactly one `done`. A failure is thrown as an AppError
 * from the iterator (the caller's error event); a caller abort throws as described at `signal`.
 * Finish reasons use OpenAI's words: "stop", "length", "content_filter", "tool_calls", …
 */
export type StreamEvent = { type: "delta"; text: string } | { type: "done"; usage: Usage; finishReason: string | null };

export interface Completion {
  text: string;
  usage: Usage;
  finishReason: string | null;
}

export interface ProviderAdapter {
  readonly type: ProviderType;
  stream(req: ChatRequest): AsyncIterable<StreamEvent>;
  complete(req: ChatRequest): Promise<Completion>;
  listModels(signal?: AbortSignal): Promise<string[]>;
}
