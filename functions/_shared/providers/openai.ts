// OpenAI Chat Completions through the `openai` SDK: OpenAI, Mistral, xAI, any OpenAI-compatible
// server (Ollama, vLLM, LM Studio, OpenRouter …) and Azure OpenAI (deployments, api-version, api-key).
import OpenAI, { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError, AzureOpenAI } from "openai";
import { stainlessClassifier } from "./adapter.ts";
import type { Driver, Piece } from "./adapter.ts";
import { finishReason, foldSystem, resolveQuirks } from "./quirks.ts";
import { connectionHeaders, misconfigured, trimSlash } from "./sdk-options.ts";
import type { ChatRequest, Completion, Fetch, ProviderConnection } from "./types.ts";

type Params = Omit<OpenAI.Chat.Completions.ChatCompletionCreateParamsNonStreaming, "stream">;
type Message = OpenAI.Chat.Completions.ChatCompletionMessageParam;
type Chunk = OpenAI.Chat.Completions.ChatCompletionChunk;
type Usage = OpenAI.Completions.CompletionUsage;

const defaultBaseUrls: Partial<Record<ProviderConnection["type"], string>> = {
  openai: "https://api.openai.com/v1",
  mistral: "https://api.mistral.ai/v1",
  xai: "https://api.x.ai/v1",
};

/** The GA api-version of Azure's classic deployment API used when the provider sets none. */
export const defaultAzureApiVersion = "2024-10-21";

/** Mistral sends usage in its last chunk unasked and refuses unknown fields such as stream_options. */
const asksForUsage = (conn: ProviderConnection): boolean => conn.type !== "mistral";

function client(conn: ProviderConnection, fetch: Fetch): OpenAI {
  // Every option the SDK would otherwise read from the environment is given explicitly.
  const common = {
    fetch,
    maxRetries: 0,
    logLevel: "off" as const,
    organization: conn.organization ?? null,
    project: null,
    adminAPIKey: null,
    webhookSecret: null,
  };
  const headers = connectionHeaders(conn);
  if (conn.type === "azure_openai") {
    if (!conn.baseUrl) throw misconfigured(conn.type, "base URL");
    if (!conn.getToken && !conn.apiKey) throw misconfigured(conn.type, "key");
    const endpoint = trimSlash(conn.baseUrl).replace(/\/openai(\/v1)?$/, "");
    if (conn.apiVersion === "v1") {
      // Azure's v1 API is plain OpenAI at <endpoint>/openai/v1, with the deployment as the model.
      const apiKey = conn.getToken ?? conn.apiKey ?? "";
      return new OpenAI({ ...common, baseURL: `${endpoint}/openai/v1`, apiKey, defaultHeaders: headers });
    }
    const auth = conn.getToken ? { azureADTokenProvider: conn.getToken, apiKey: "" } : { apiKey: conn.apiKey ?? "" };
    return new AzureOpenAI({
      ...common,
      ...auth,
      baseURL: `${endpoint}/openai`,
      apiVersion: conn.apiVersion ?? defaultAzureApiVersion,
      defaultHeaders: headers,
    });
  }
  const baseURL = conn.baseUrl ? trimSlash(conn.baseUrl) : defaultBaseUrls[conn.type];
  if (!baseURL) throw misconfigured(conn.type, "base URL");
  const apiKey = conn.getToken ?? conn.apiKey;
  // Local servers (Ollama) take no key: the SDK needs one, so send it nowhere.
  if (!apiKey) return new OpenAI({ ...common, baseURL, apiKey: "none", defaultHeaders: { ...headers, authorization: null } });
  return new OpenAI({ ...common, baseURL, apiKey, defaultHeaders: headers });
}

function messages(req: ChatRequest, role: "system" | "developer" | "none"): Message[] {
  if (role === "none") return foldSystem(req.messages);
  if (role === "system") return req.messages;
  return req.messages.map((m) => (m.role === "system" ? { role: "developer", content: m.content } : m));
}

function params(conn: ProviderConnection, req: ChatRequest): Params {
  const quirks = resolveQuirks(conn.type, req.model, req.quirks);
  // Azure routes by deployment: the SDK moves body.model into /deployments/{model}/.
  const model = conn.type === "azure_openai" ? (conn.deployments?.[req.model] ?? req.model) : req.model;
  const body: Params = { model, messages: messages(req, quirks.systemRole) };
  if (req.temperature !== undefined && !quirks.noTemperature) body.temperature = req.temperature;
  if (req.maxOutputTokens !== undefined) body[quirks.maxTokensParam] = req.maxOutputTokens;
  return body;
}

function usage(u: Usage | null | undefined): Piece["usage"] {
  return u ? { inputTokens: u.prompt_tokens, outputTokens: u.completion_tokens } : undefined;
}

async function* pieces(chunks: AsyncIterable<Chunk>): AsyncGenerator<Piece> {
  for await (const chunk of chunks) {
    // Azure sends content-filter chunks without choices; the usage chunk has none either.
    const choice = chunk.choices[0];
    const piece: Piece = {};
    const text = choice?.delta?.content;
    if (text) piece.text = text;
    if (choice?.finish_reason) piece.finishReason = finishReason("openai", choice.finish_reason);
    const u = usage(chunk.usage);
    if (u) piece.usage = u;
    yield piece;
  }
}

export function openaiDriver(conn: ProviderConnection): Driver {
  client(conn, fetch); // fail fast on a misconfigured provider
  return {
    type: conn.type,
    async open(req, signal, fetch) {
      const body = { ...params(conn, req), stream: true as const };
      const stream = await client(conn, fetch).chat.completions.create(
        asksForUsage(conn) ? { ...body, stream_options: { include_usage: true } } : body,
        { signal },
      );
      return pieces(stream);
    },
    async once(req, signal, fetch): Promise<Completion> {
      const res = await client(conn, fetch).chat.completions.create({ ...params(conn, req), stream: false }, { signal });
      const choice = res.choices[0];
      return {
        text: choice?.message.content ?? "",
        usage: { inputTokens: res.usage?.prompt_tokens ?? 0, outputTokens: res.usage?.completion_tokens ?? 0 },
        finishReason: finishReason("openai", choice?.finish_reason),
      };
    },
    async models(signal, fetch) {
      const ids: string[] = [];
      for await (const model of client(conn, fetch).models.list({ signal })) ids.push(model.id);
      return ids;
    },
    classify: stainlessClassifier({ APIError, APIUserAbortError, APIConnectionError, APIConnectionTimeoutError }),
  };
}
