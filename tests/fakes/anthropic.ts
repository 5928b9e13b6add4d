// Anthropic Messages wire protocol.
//
// Routes: POST /v1/messages (stream when body.stream === true)   GET /v1/models
// Auth: `x-api-key: KEY` (or `Authorization: Bearer TOKEN`); `anthropic-version` is required.
import { defaultMessage, sseFrame } from "./protocol.ts";
import type { ChatPlan, ErrorSpec, Prompt, Protocol, RouteMatch, StreamFrames } from "./protocol.ts";
import { contentText, fakeId, field, list, str } from "./text.ts";

function route(method: string, path: string, _query: URLSearchParams, body: unknown): RouteMatch | null {
  if (method === "POST" && path === "/v1/messages") {
    const model = str(field(body, "model"));
    const stream = field(body, "stream") === true;
    return model === undefined ? { op: "chat", stream } : { op: "chat", stream, model };
  }
  if (method === "GET" && path === "/v1/models") return { op: "models", stream: false };
  return null;
}

function errorType(status: number): string {
  const types: Record<number, string> = {
    400: "invalid_request_error",
    401: "authentication_error",
    402: "billing_error",
    403: "permission_error",
    404: "not_found_error",
    413: "request_too_large",
    429: "rate_limit_error",
    500: "api_error",
    504: "timeout_error",
    529: "overloaded_error",
  };
  return types[status] ?? "api_error";
}

function errorBody(e: ErrorSpec): unknown {
  return { type: "error", error: { type: e.type ?? errorType(e.status), message: e.message ?? defaultMessage(e.status) } };
}

function prompt(body: unknown): Prompt {
  const messages = list(field(body, "messages"));
  const texts = [contentText(field(body, "system")), ...messages.map((m) => contentText(field(m, "content")))];
  const users = messages.filter((m) => field(m, "role") === "user");
  const last = users[users.length - 1];
  return {
    lastUser: last === undefined ? "" : contentText(field(last, "content")),
    all: texts.filter((t) => t.length > 0).join(" "),
  };
}

function usage(p: ChatPlan, outputTokens: number): Record<string, unknown> {
  return {
    input_tokens: p.promptTokens,
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: 0,
    output_tokens: outputTokens,
    service_tier: "standard",
  };
}

function message(p: ChatPlan, streaming: boolean): Record<string, unknown> {
  return {
    id: fakeId("msg_fake_", p.n),
    type: "message",
    role: "assistant",
    model: p.model,
    content: streaming ? [] : [{ type: "text", text: p.reply }],
    stop_reason: streaming ? null : (p.finishReason ?? "end_turn"),
    stop_sequence: null,
    // Like the real API: message_start reports 1 output token; message_delta the final count.
    usage: usage(p, streaming ? 1 : p.completionTokens),
  };
}

function chatFrames(p: ChatPlan): StreamFrames {
  const ev = (type: string, data: Record<string, unknown>): string => sseFrame({ type, ...data }, type);
  return {
    preamble: [
      ev("message_start", { message: message(p, true) }),
      ev("content_block_start", { index: 0, content_block: { type: "text", text: "" } }),
      ev("ping", {}),
    ],
    deltas: p.chunks.map((text) => ev("content_block_delta", { index: 0, delta: { type: "text_delta", text } })),
    epilogue: [
      ev("content_block_stop", { index: 0 }),
      ev("message_delta", {
        delta: { stop_reason: p.finishReason ?? "end_turn", stop_sequence: null },
        usage: { output_tokens: p.completionTokens },
      }),
      ev("message_stop", {}),
    ],
  };
}

function validate(match: RouteMatch, body: unknown, headers: Record<string, string>): ErrorSpec | null {
  if (headers["anthropic-version"] === undefined) {
    return { status: 400, message: "anthropic-version: header is required" };
  }
  if (match.op !== "chat") return null;
  if (match.model === undefined) return { status: 400, message: "model: Field required" };
  if (typeof field(body, "max_tokens") !== "number") return { status: 400, message: "max_tokens: Field required" };
  if (list(field(body, "messages")).length === 0) return { status: 400, message: "messages: Field required" };
  return null;
}

export const anthropicProtocol: Protocol = {
  kind: "anthropic",
  defaultModels: ["claude-opus-4-6", "claude-haiku-4-5"],
  requestIdHeader: "request-id",
  route,
  apiKey(headers) {
    const key = headers["x-api-key"];
    if (key !== undefined) return key;
    const auth = headers["authorization"];
    return auth?.startsWith("Bearer ") ? auth.slice("Bearer ".length) : undefined;
  },
  validate,
  prompt,
  chatJson: (p) => message(p, false),
  chatFrames,
  malformedFrame: () => 'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_\n\n',
  errorBody,
  errorFrame: (e) => sseFrame(errorBody(e), "error"),
  models: (ids) => ({
    data: ids.map((id) => ({ type: "model", id, display_name: id, created_at: "2025-01-01T00:00:00Z" })),
    has_more: false,
    first_id: ids[0] ?? null,
    last_id: ids[ids.length - 1] ?? null,
  }),
};
