// Gemini through `@google/genai` (its fetch-only web build, which runs unchanged on Deno and Node):
// roles user/model, the system prompt as systemInstruction, thinking tokens billed as output.
import { ApiError, GoogleGenAI } from "@google/genai/web";
import type { Content, GenerateContentConfig, GenerateContentParameters, GenerateContentResponse, HttpOptions } from "@google/genai/web";
import type { Driver, Piece } from "./adapter.ts";
import { connectionHeaders, misconfigured, trimSlash } from "./sdk-options.ts";
import { finishReason, resolveQuirks, splitSystem } from "./quirks.ts";
import type { ChatMessage, ChatRequest, Completion, Fetch, ProviderConnection } from "./types.ts";

/** With an OAuth token source the key header is replaced by a bearer token on every request. */
function withToken(fetch: Fetch, getToken: () => Promise<string>): Fetch {
  return async (input, init) => {
    const headers = new Headers(init?.headers);
    headers.delete("x-goog-api-key");
    headers.set("authorization", `Bearer ${await getToken()}`);
    return fetch(input, { ...init, headers });
  };
}

function client(conn: ProviderConnection, fetch: Fetch): GoogleGenAI {
  if (!conn.getToken && !conn.apiKey) throw misconfigured(conn.type, "key");
  const httpOptions: HttpOptions = {
    baseUrl: trimSlash(conn.baseUrl ?? "https://generativelanguage.googleapis.com"),
    headers: connectionHeaders(conn),
    fetch: conn.getToken ? withToken(fetch, conn.getToken) : fetch,
  };
  if (conn.apiVersion) httpOptions.apiVersion = conn.apiVersion;
  // No retryOptions: the SDK then makes exactly one attempt.
  return new GoogleGenAI({ apiKey: conn.apiKey ?? "oauth", httpOptions });
}

/** Gemini wants turns that alternate user/model: consecutive turns of one role are joined. */
function contents(turns: ChatMessage[]): Content[] {
  const out: Content[] = [];
  for (const m of turns) {
    const role = m.role === "assistant" ? "model" : "user";
    const last = out[out.length - 1];
    if (last?.role === role) last.parts?.push({ text: m.content });
    else out.push({ role, parts: [{ text: m.content }] });
  }
  return out;
}

function params(conn: ProviderConnection, req: ChatRequest, signal: AbortSignal): GenerateContentParameters {
  const quirks = resolveQuirks(conn.type, req.model, req.quirks);
  const { system, turns } = splitSystem(req.messages);
  const config: GenerateContentConfig = { abortSignal: signal };
  if (system !== undefined) config.systemInstruction = { parts: [{ text: system }] };
  if (req.temperature !== undefined && !quirks.noTemperature) config.temperature = req.temperature;
  if (req.maxOutputTokens !== undefined) config.maxOutputTokens = req.maxOutputTokens;
  return { model: req.model, contents: contents(turns), config };
}

function piece(res: GenerateContentResponse): Piece {
  const candidate = res.candidates?.[0];
  const p: Piece = {};
  // Thought summaries are not part of the answer.
  const text = (candidate?.content?.parts ?? []).map((part) => (part.thought ? "" : (part.text ?? ""))).join("");
  if (text) p.text = text;
  if (candidate?.finishReason) p.finishReason = finishReason("google", candidate.finishReason);
  else if (res.promptFeedback?.blockReason) p.finishReason = "content_filter";
  const u = res.usageMetadata;
  if (u) {
    // Thinking tokens are billed as output but reported apart from candidatesTokenCount.
    p.usage = { inputTokens: u.promptTokenCount ?? 0, outputTokens: (u.candidatesTokenCount ?? 0) + (u.thoughtsTokenCount ?? 0) };
  }
  return p;
}

async function* pieces(chunks: AsyncIterable<GenerateContentResponse>): AsyncGenerator<Piece> {
  for await (const chunk of chunks) yield piece(chunk);
}

export function googleDriver(conn: ProviderConnection): Driver {
  client(conn, fetch); // fail fast on a misconfigured provider
  return {
    type: conn.type,
    async open(req, signal, fetch) {
      return pieces(await client(conn, fetch).models.generateContentStream(params(conn, req, signal)));
    },
    async once(req, signal, fetch): Promise<Completion> {
      const p = piece(await client(conn, fetch).models.generateContent(params(conn, req, signal)));
      return {
        text: p.text ?? "",
        usage: { inputTokens: p.usage?.inputTokens ?? 0, outputTokens: p.usage?.outputTokens ?? 0 },
        finishReason: p.finishReason ?? null,
      };
    },
    async models(signal, fetch) {
      const ids: string[] = [];
      const pager = await client(conn, fetch).models.list({ config: { abortSignal: signal, pageSize: 1000 } });
      for await (const model of pager) if (model.name) ids.push(model.name.replace(/^models\//, ""));
      return ids;
    },
    // Gemini's ApiError keeps only the status; the tapped fetch supplies the headers (Retry-After).
    classify: (err) => (err instanceof ApiError ? { kind: "status", status: err.status } : undefined),
  };
}
