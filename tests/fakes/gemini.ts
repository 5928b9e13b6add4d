// Gemini API (generativelanguage) wire protocol.
//
// Routes: POST /{v1beta|v1|v1alpha}/models/:model:generateContent
//         POST /{...}/models/:model:streamGenerateContent?alt=sse      GET /{...}/models
// Auth: `x-goog-api-key: KEY` (or `?key=KEY`).
import { defaultMessage, sseFrame } from "./protocol.ts";
import type { ChatPlan, ErrorSpec, Prompt, Protocol, RouteMatch, StreamFrames } from "./protocol.ts";
import { fakeId, field, list, str } from "./text.ts";

const GENERATE = /^\/(?:v1beta|v1|v1alpha)\/models\/([^/:]+):(generateContent|streamGenerateContent)$/;
const MODELS = /^\/(?:v1beta|v1|v1alpha)\/models$/;

function route(method: string, path: string): RouteMatch | null {
  const m = GENERATE.exec(path);
  if (method === "POST" && m?.[1] !== undefined) {
    return { op: "chat", stream: m[2] === "streamGenerateContent", model: decodeURIComponent(m[1]) };
  }
  if (method === "GET" && MODELS.test(path)) return { op: "models", stream: false };
  return null;
}

function statusName(code: number): string {
  const names: Record<number, string> = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    409: "ABORTED",
    429: "RESOURCE_EXHAUSTED",
    499: "CANCELLED",
    500: "INTERNAL",
    501: "NOT_IMPLEMENTED",
    503: "UNAVAILABLE",
    504: "DEADLINE_EXCEEDED",
  };
  return names[code] ?? "UNKNOWN";
}

function errorBody(e: ErrorSpec): unknown {
  return { error: { code: e.status, message: e.message ?? defaultMessage(e.status), status: e.type ?? statusName(e.status) } };
}

function partsText(content: unknown): string {
  return list(field(content, "parts"))
    .map((part) => str(field(part, "text")) ?? "")
    .filter((t) => t.length > 0)
    .join(" ");
}

function prompt(body: unknown): Prompt {
  const contents = list(field(body, "contents"));
  const texts = [partsText(field(body, "systemInstruction")), ...contents.map(partsText)];
  const users = contents.filter((c) => (field(c, "role") ?? "user") === "user");
  const last = users[users.length - 1];
  return { lastUser: last === undefined ? "" : partsText(last), all: texts.filter((t) => t.length > 0).join(" ") };
}

function response(p: ChatPlan, text: string, final: boolean, candidatesTokens: number): unknown {
  const candidate: Record<string, unknown> = { content: { parts: [{ text }], role: "model" }, index: 0 };
  if (final) candidate["finishReason"] = p.finishReason ?? "STOP";
  const usageMetadata: Record<string, unknown> = {
    promptTokenCount: p.promptTokens,
    totalTokenCount: p.promptTokens + candidatesTokens,
    promptTokensDetails: [{ modality: "TEXT", tokenCount: p.promptTokens }],
  };
  if (candidatesTokens > 0 || final) usageMetadata["candidatesTokenCount"] = candidatesTokens;
  return { candidates: [candidate], usageMetadata, modelVersion: p.model, responseId: fakeId("fake-resp-", p.n) };
}

function chatFrames(p: ChatPlan): StreamFrames {
  // Like the real API: every chunk carries the running usage; the last one the finishReason
  // and the full candidatesTokenCount.
  const last = p.chunks.length - 1;
  const deltas = p.chunks.map((text, i) =>
    sseFrame(response(p, text, i === last, i === last ? p.completionTokens : 0)),
  );
  if (deltas.length === 0) deltas.push(sseFrame(response(p, "", true, p.completionTokens)));
  return { preamble: [], deltas, epilogue: [] };
}

function validate(match: RouteMatch, body: unknown, _headers: Record<string, string>): ErrorSpec | null {
  if (match.op !== "chat") return null;
  if (list(field(body, "contents")).length === 0) {
    return { status: 400, message: "* GenerateContentRequest.contents: contents is not specified" };
  }
  return null;
}

export const geminiProtocol: Protocol = {
  kind: "gemini",
  defaultModels: ["gemini-2.5-flash", "gemini-2.5-pro", "gemini-2.0-flash"],
  route,
  apiKey: (headers, query) => headers["x-goog-api-key"] ?? query.get("key") ?? undefined,
  validate,
  prompt,
  chatJson: (p) => response(p, p.reply, true, p.completionTokens),
  chatFrames,
  malformedFrame: () => 'data: {"candidates": [{"content": {"parts": [{"text": "oops\n\n',
  errorBody,
  errorFrame: (e) => sseFrame(errorBody(e)),
  models: (ids) => ({
    models: ids.map((id) => ({
      name: `models/${id}`,
      version: "001",
      displayName: id,
      inputTokenLimit: 1_048_576,
      outputTokenLimit: 65_536,
      supportedGenerationMethods: ["generateContent", "countTokens"],
    })),
  }),
};
