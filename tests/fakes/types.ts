// Public types of the provider fakes (see index.ts for the entry point).

export type FakeKind = "openai" | "anthropic" | "gemini";

/**
 * What the fake does to ONE upcoming request (queued with `fake.enqueue`). Every field is
 * optional and they combine: e.g. `{ delayMs: 200, status: 503 }` waits, then fails.
 *
 * "Chunks" below are text-delta frames (one per word of the reply): the frames a provider
 * sends before the first delta (OpenAI's role chunk, Anthropic's message_start /
 * content_block_start / ping) always go out first, so `cutAfterChunks: 0` means "headers
 * and preamble, then the socket dies", and `cutAfterChunks: 2` means "two words arrived".
 */
export interface Fault {
  /** Only apply to a request whose path contains this string / matches this RegExp. */
  path?: string | RegExp;
  /** Latency before anything (status line, headers) is sent. */
  delayMs?: number;
  /** Respond with this HTTP status and the provider's error body shape. */
  status?: number;
  /** Provider error type (OpenAI `error.type`/`code`, Anthropic `error.type`, Gemini `error.status`). */
  errorType?: string;
  /** Error message in the error body. */
  message?: string;
  /** `Retry-After` header value (seconds, or an HTTP date string). */
  retryAfter?: number | string;
  /** `retry-after-ms` header (non-standard, honoured by the openai and anthropic SDKs). */
  retryAfterMs?: number;
  /** `x-should-retry: true|false` (openai and anthropic SDKs obey it over the status). */
  shouldRetry?: boolean;
  /** Extra response headers (on errors and successes). */
  headers?: Record<string, string>;
  /** Destroy the connection without any response (the client sees a network error). */
  dropConnection?: boolean;
  /** Never answer; the request stays open until the client gives up or the fake closes. */
  hang?: boolean;
  /**
   * Stream: destroy the socket after N text-delta frames.
   * Non-stream: send the status line and half of the JSON body, then destroy the socket.
   */
  cutAfterChunks?: number;
  /**
   * Stream: after N text-delta frames send a frame whose data is not valid JSON, then end.
   * Non-stream: a 200 whose JSON body is truncated (not parseable).
   */
  malformedAfterChunks?: number;
  /** Stream: after N text-delta frames send the provider's in-stream error event, then end. */
  streamError?: { afterChunks: number; status?: number; errorType?: string; message?: string };
  /** Stream: delay before every frame after the preamble (a slow trickle). */
  chunkDelayMs?: number;
  /** Reply text for this request only (overrides the script). */
  reply?: string;
}

/** Persistent behaviour until `reset()` (faults are per request; this is the default). */
export interface Script {
  /** Fixed reply, or computed from the request. Default: "Echo: " + last user message text. */
  reply?: string | ((request: RecordedRequest) => string);
  /** Override the counted usage. */
  usage?: { promptTokens?: number; completionTokens?: number };
  /** Model ids returned by the list-models endpoint. */
  models?: string[];
  /** Finish reason in the provider's vocabulary (default "stop" / "end_turn" / "STOP"). */
  finishReason?: string;
}

export interface RecordedRequest {
  /** 0-based arrival index since the fake started (not reset by `reset()`). */
  index: number;
  method: string;
  /** URL path without the query string. */
  path: string;
  query: Record<string, string>;
  /** Lower-cased header names. */
  headers: Record<string, string>;
  /** Parsed JSON body (undefined when there was no body or it was not JSON). */
  body: unknown;
  rawBody: string;
  /** Date.now() when the request arrived. */
  time: number;
  /** What the fake recognised: "chat", "models" or "unknown". */
  op: "chat" | "models" | "unknown";
  stream: boolean;
  /** Model from the body (OpenAI/Anthropic), path (Gemini) or Azure deployment. */
  model?: string;
  /** Azure only: deployment from the path and the `api-version` query parameter. */
  deployment?: string;
  apiVersion?: string;
  /** The fault applied to this request, if any. */
  fault?: Fault;
}

export interface AbortRecord {
  /** Date.now() when the fake saw the client go away before the response ended. */
  time: number;
  request: RecordedRequest;
  /** Text-delta frames already written when the client went away. */
  chunksSent: number;
}

export interface StartOptions {
  /** When set, requests without this key (in the provider's auth header) get a 401. */
  apiKey?: string;
}

export interface Fake {
  readonly kind: FakeKind;
  /** `http://127.0.0.1:PORT` with no trailing slash (see index.ts for how each SDK reaches it). */
  readonly url: string;
  readonly requests: RecordedRequest[];
  readonly aborts: AbortRecord[];
  /** Queue a fault for the next (matching) request; `times` queues it repeatedly. */
  enqueue(fault: Fault, times?: number): void;
  /** Set the persistent script (merged over the current one). */
  script(script: Script): void;
  /** Clear requests, aborts, queued faults and the script. */
  reset(): void;
  /** Resolve with the next abort (or one already recorded beyond `after`), reject on timeout. */
  waitForAbort(timeoutMs?: number, after?: number): Promise<AbortRecord>;
  /** Resolve once at least `count` requests were recorded, reject on timeout. */
  waitForRequests(count: number, timeoutMs?: number): Promise<RecordedRequest[]>;
  close(): Promise<void>;
}
