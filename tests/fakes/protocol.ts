// What each provider module supplies to the shared server in core.ts: routing, auth, body
// shapes. Provider modules only shape data; core.ts owns sockets, faults and recording.
import type { FakeKind } from "./types.ts";

export interface RouteMatch {
  op: "chat" | "models";
  stream: boolean;
  model?: string;
  deployment?: string;
  apiVersion?: string;
}

/** Everything needed to render one chat reply in any protocol. */
export interface ChatPlan {
  /** Sequence number of the request, for ids. */
  n: number;
  model: string;
  reply: string;
  /** `reply` split per word; concatenated they equal `reply`. */
  chunks: string[];
  promptTokens: number;
  completionTokens: number;
  finishReason?: string;
  /** Unix seconds. */
  created: number;
}

/** Serialized SSE frames ("event: ...\ndata: ...\n\n"). */
export interface StreamFrames {
  /** Sent before the first text delta (never faulted). */
  preamble: string[];
  /** One per chunk of the reply. */
  deltas: string[];
  /** Sent after the last delta (finish, usage, [DONE], message_stop ...). */
  epilogue: string[];
}

export interface ErrorSpec {
  status: number;
  type?: string;
  message?: string;
}

export interface Prompt {
  /** Text of the last user message ("" when none). */
  lastUser: string;
  /** All prompt text (system + every message), for counting prompt tokens. */
  all: string;
}

export interface Protocol {
  kind: FakeKind;
  defaultModels: string[];
  /** Header that carries a request id in this provider's responses. */
  requestIdHeader?: string;
  route(method: string, path: string, query: URLSearchParams, body: unknown): RouteMatch | null;
  /** The API key the client presented (undefined when missing). */
  apiKey(headers: Record<string, string>, query: URLSearchParams): string | undefined;
  /** A 400 the real API would give for this request, or null when it is acceptable. */
  validate(match: RouteMatch, body: unknown, headers: Record<string, string>): ErrorSpec | null;
  prompt(body: unknown): Prompt;
  chatJson(plan: ChatPlan): unknown;
  chatFrames(plan: ChatPlan, body: unknown): StreamFrames;
  /** A frame the client must fail to parse. */
  malformedFrame(): string;
  errorBody(error: ErrorSpec): unknown;
  /** The provider's in-stream error frame. */
  errorFrame(error: ErrorSpec): string;
  models(ids: string[]): unknown;
}

export function sseFrame(data: unknown, event?: string): string {
  const payload = typeof data === "string" ? data : JSON.stringify(data);
  return `${event === undefined ? "" : `event: ${event}\n`}data: ${payload}\n\n`;
}

/** Default reason phrases/types used when a fault gives only a status. */
export function defaultMessage(status: number): string {
  const messages: Record<number, string> = {
    400: "Bad request",
    401: "Invalid API key",
    403: "Permission denied",
    404: "Not found",
    408: "Request timeout",
    409: "Conflict",
    413: "Request too large",
    429: "Rate limit exceeded",
    500: "Internal server error",
    502: "Bad gateway",
    503: "Service unavailable",
    504: "Gateway timeout",
    529: "Overloaded",
  };
  return messages[status] ?? `HTTP ${status}`;
}
