// Anthropic Messages through `@anthropic-ai/sdk`: the system prompt goes in its own field,
// max_tokens is required, temperature is not sent, and the key travels in x-api-key.
import Anthropic, { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from "@anthropic-ai/sdk";
import { stainlessClassifier } from "./adapter.ts";
import type { Driver, Piece } from "./adapter.ts";
import { connectionHeaders, misconfigured, trimSlash } from "./sdk-options.ts";
import { defaultAnthropicMaxTokens, finishReason, splitSystem } from "./quirks.ts";
import type { ChatMessage, ChatRequest, Completion, Fetch, ProviderConnection, Usage } from "./types.ts";

type Params = Omit<Anthropic.Messages.MessageCreateParamsNonStreaming, "stream">;
type Turn = Anthropic.Messages.MessageParam;
type Event = Anthropic.Messages.RawMessageStreamEvent;

/** Cached prompt tokens are still input; Anthropic reports them apart from input_tokens. */
type InputCounts = { input_tokens?: number | null; cache_creation_input_tokens?: number | null; cache_read_input_tokens?: number | null };
function inputTokens(u: InputCounts): number | undefined {
  // message_delta may omit input_tokens (older API versions) or send null.
  if (typeof u.input_tokens !== "number") return undefined;
  return u.input_tokens + (u.cache_creation_input_tokens ?? 0) + (u.cache_read_input_tokens ?? 0);
}

function client(conn: ProviderConnection, fetch: Fetch): Anthropic {
  const headers = connectionHeaders(conn);
  const common = {
    baseURL: trimSlash(conn.baseUrl ?? "https://api.anthropic.com"),
    fetch,
    maxRetries: 0,
    logLevel: "off" as const,
    webhookKey: null,
    // An explicit timeout also stops the SDK refusing non-streamed calls with a large max_tokens.
    timeout: 600_000,
  };
  if (conn.getToken) return new Anthropic({ ...common, apiKey: conn.getToken, defaultHeaders: headers });
  if (!conn.apiKey) throw misconfigured(conn.type, "key");
  // SDK 1.x sends apiKey as a bearer token; the API's documented header is x-api-key.
  return new Anthropic({
    ...common,
    apiKey: conn.apiKey,
    defaultHeaders: { ...headers, "x-api-key": conn.apiKey, authorization: null },
  });
}

const isTurn = (m: ChatMessage): m is ChatMessage & Turn => m.role !== "system";

function params(req: ChatRequest): Params {
  const { system, turns } = splitSystem(req.messages);
  // API version 2026-10-21 (SDK 1.x) dropped temperature from Messages: it is never sent.
  const body: Params = {
    model: req.model,
    max_tokens: req.maxOutputTokens ?? defaultAnthropicMaxTokens,
    messages: turns.filter(isTurn).map((m) => ({ role: m.role, content: m.content })),
  };
  if (system !== undefined) body.system = system;
  return body;
}

function piece(event: Event): Piece | undefined {
  switch (event.type) {
    case "message_start": {
      const u = event.message.usage;
      return { usage: { inputTokens: inputTokens(u) ?? 0, outputTokens: u.output_tokens } };
    }
    case "content_block_delta":
      return event.delta.type === "text_delta" ? { text: event.delta.text } : undefined;
    case "message_delta": {
      const input = inputTokens(event.usage);
      const usage: Partial<Usage> = { outputTokens: event.usage.output_tokens };
      if (input !== undefined) usage.inputTokens = input;
      return { usage, finishReason: finishReason("anthropic", event.delta.stop_reason) };
    }
    default:
      return undefined;
  }
}

async function* pieces(events: AsyncIterable<Event>): AsyncGenerator<Piece> {
  for await (const event of events) {
    const p = piece(event);
    if (p) yield p;
  }
}

export function anthropicDriver(conn: ProviderConnection): Driver {
  client(conn, fetch); // fail fast on a misconfigured provider
  return {
    type: conn.type,
    async open(req, signal, fetch) {
      return pieces(await client(conn, fetch).messages.create({ ...params(req), stream: true }, { signal }));
    },
    async once(req, signal, fetch): Promise<Completion> {
      const msg = await client(conn, fetch).messages.create({ ...params(req), stream: false }, { signal });
      const text = msg.content.map((block) => (block.type === "text" ? block.text : "")).join("");
      return {
        text,
        usage: { inputTokens: inputTokens(msg.usage) ?? 0, outputTokens: msg.usage.output_tokens },
        finishReason: finishReason("anthropic", msg.stop_reason),
      };
    },
    async models(signal, fetch) {
      const ids: string[] = [];
      for await (const model of client(conn, fetch).models.list({}, { signal })) ids.push(model.id);
      return ids;
    },
    classify: stainlessClassifier({ APIError, APIUserAbortError, APIConnectionError, APIConnectionTimeoutError }),
  };
}
