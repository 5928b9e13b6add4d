// OpenAI Chat Completions wire protocol (also Mistral, xAI, Ollama & co., and Azure OpenAI).
//
// Routes:  POST {/v1,}/chat/completions          GET {/v1,}/models
//          POST /openai/deployments/:dep/chat/completions?api-version=...   (Azure classic)
//          POST /openai/v1/chat/completions        GET /openai/{v1/,}models  (Azure v1 / listing)
// Auth: `Authorization: Bearer KEY` or Azure's `api-key: KEY`.
import { defaultMessage, sseFrame } from "./protocol.ts";
import type { ChatPlan, ErrorSpec, Prompt, Protocol, RouteMatch, StreamFrames } from "./protocol.ts";
import { contentText, fakeId, field, list, str } from "./text.ts";

const CHAT = /^(?:\/openai)?(?:\/v1)?\/chat\/completions$/;
const AZURE_DEPLOYMENT = /^\/openai\/deployments\/([^/]+)\/chat\/completions$/;
const MODELS = /^(?:\/openai)?(?:\/v1)?\/models$/;

function route(method: string, path: string, query: URLSearchParams, body: unknown): RouteMatch | null {
  const stream = field(body, "stream") === true;
  const model = str(field(body, "model"));
  const apiVersion = query.get("api-version") ?? undefined;
  const withVersion = (m: RouteMatch): RouteMatch => (apiVersion === undefined ? m : { ...m, apiVersion });
  if (method === "POST") {
    const azure = AZURE_DEPLOYMENT.exec(path);
    if (azure?.[1] !== undefined) {
      const deployment = decodeURIComponent(azure[1]);
      // Azure routes by deployment; a `model` in the body is ignored.
      return withVersion({ op: "chat", stream, deployment, model: deployment });
    }
    if (CHAT.test(path)) return withVersion(model === undefined ? { op: "chat", stream } : { op: "chat", stream, model });
  }
  if (method === "GET" && MODELS.test(path)) return withVersion({ op: "models", stream: false });
  return null;
}

function errorType(status: number): { type: string; code: string | null } {
  if (status === 401) return { type: "invalid_request_error", code: "invalid_api_key" };
  if (status === 404) return { type: "invalid_request_error", code: "model_not_found" };
  if (status === 429) return { type: "requests", code: "rate_limit_exceeded" };
  if (status >= 500) return { type: "server_error", code: null };
  return { type: "invalid_request_error", code: null };
}

function errorBody(e: ErrorSpec): unknown {
  const d = errorType(e.status);
  return { error: { message: e.message ?? defaultMessage(e.status), type: e.type ?? d.type, param: null, code: e.type ?? d.code } };
}

function prompt(body: unknown): Prompt {
  const messages = list(field(body, "messages"));
  const texts = messages.map((m) => contentText(field(m, "content")));
  const users = messages.filter((m) => field(m, "role") === "user");
  const last = users[users.length - 1];
  return { lastUser: last === undefined ? "" : contentText(field(last, "content")), all: texts.join(" ") };
}

function usage(p: ChatPlan): Record<string, unknown> {
  return {
    prompt_tokens: p.promptTokens,
    completion_tokens: p.completionTokens,
    total_tokens: p.promptTokens + p.completionTokens,
    prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
  };
}

function chatJson(p: ChatPlan): unknown {
  return {
    id: fakeId("chatcmpl-fake-", p.n),
    object: "chat.completion",
    created: p.created,
    model: p.model,
    system_fingerprint: "fp_fake",
    choices: [
      {
        index: 0,
        message: { role: "assistant", content: p.reply, refusal: null, annotations: [] },
        logprobs: null,
        finish_reason: p.finishReason ?? "stop",
      },
    ],
    usage: usage(p),
  };
}

function chatFrames(p: ChatPlan, body: unknown): StreamFrames {
  const includeUsage = field(field(body, "stream_options"), "include_usage") === true;
  const chunk = (delta: Record<string, unknown>, finish: string | null): string =>
    sseFrame({
      id: fakeId("chatcmpl-fake-", p.n),
      object: "chat.completion.chunk",
      created: p.created,
      model: p.model,
      system_fingerprint: "fp_fake",
      choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
      ...(includeUsage ? { usage: null } : {}),
    });
  const epilogue = [chunk({}, p.finishReason ?? "stop")];
  if (includeUsage) {
    epilogue.push(
      sseFrame({
        id: fakeId("chatcmpl-fake-", p.n),
        object: "chat.completion.chunk",
        created: p.created,
        model: p.model,
        system_fingerprint: "fp_fake",
        choices: [],
        usage: usage(p),
      }),
    );
  }
  epilogue.push(sseFrame("[DONE]"));
  return {
    preamble: [chunk({ role: "assistant", content: "", refusal: null }, null)],
    deltas: p.chunks.map((c) => chunk({ content: c }, null)),
    epilogue,
  };
}

function validate(match: RouteMatch, body: unknown): ErrorSpec | null {
  if (match.op !== "chat") return null;
  if (list(field(body, "messages")).length === 0) {
    return { status: 400, message: "[] is too short - 'messages'" };
  }
  if (match.model === undefined) return { status: 400, message: "you must provide a model parameter" };
  return null;
}

export const openaiProtocol: Protocol = {
  kind: "openai",
  defaultModels: ["gpt-4o-mini", "gpt-4o", "o3-mini"],
  requestIdHeader: "x-request-id",
  route,
  apiKey(headers) {
    const auth = headers["authorization"];
    if (auth?.startsWith("Bearer ")) return auth.slice("Bearer ".length);
    return headers["api-key"];
  },
  validate,
  prompt,
  chatJson,
  chatFrames,
  malformedFrame: () => 'data: {"id":"chatcmpl-broken","choices":[{"delta":{"content":"oops"\n\n',
  errorBody,
  errorFrame: (e) => sseFrame(errorBody(e)),
  models: (ids) => ({
    object: "list",
    data: ids.map((id) => ({ id, object: "model", created: 1_700_000_000, owned_by: "fake" })),
  }),
};
