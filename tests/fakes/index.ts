// Loopback fakes of the LLM providers' real wire protocols, for the official SDKs.
//
//   const fake = await startFake("openai");        // http://127.0.0.1:PORT
//   fake.enqueue({ status: 429, retryAfter: 1 });   // next request fails, the one after is normal
//   ...; await fake.close();
//
// How each official SDK reaches a fake (`fake.url` has no trailing slash):
//   openai             new OpenAI({ baseURL: `${fake.url}/v1`, apiKey })
//   Azure (classic)    new AzureOpenAI({ endpoint: fake.url, apiKey, apiVersion, deployment })
//                      -> POST /openai/deployments/:deployment/chat/completions?api-version=..., `api-key` header
//   Azure (v1 API)     new OpenAI({ baseURL: `${fake.url}/openai/v1`, apiKey })
//   @anthropic-ai/sdk  new Anthropic({ baseURL: fake.url, apiKey })          (the SDK adds /v1/messages)
//   @google/genai      new GoogleGenAI({ apiKey, httpOptions: { baseUrl: fake.url } })
//                      (the SDK appends apiVersion, default "v1beta": /v1beta/models/M:generateContent)
//
// Retries: openai and anthropic retry 408/409/429/5xx (maxRetries, default 2) and honour
// `retry-after-ms` / `Retry-After`; @google/genai does not retry unless
// `httpOptions.retryOptions` is set, and then ignores Retry-After (exponential backoff from
// retryOptions.initialDelay seconds).
// Auth: @anthropic-ai/sdk 1.x sends `apiKey` as `Authorization: Bearer` (not x-api-key); the
// fake accepts both. On a user abort the openai and anthropic stream iterators end silently,
// @google/genai throws an AbortError; a cut surfaces as `TypeError: terminated` in all three.
import { anthropicProtocol } from "./anthropic.ts";
import { startProtocolFake } from "./core.ts";
import { geminiProtocol } from "./gemini.ts";
import { openaiProtocol } from "./openai.ts";
import type { Protocol } from "./protocol.ts";
import type { Fake, FakeKind, StartOptions } from "./types.ts";

export type { AbortRecord, Fake, FakeKind, Fault, RecordedRequest, Script, StartOptions } from "./types.ts";
export { countWords, splitChunks } from "./text.ts";

const protocols: Record<FakeKind, Protocol> = {
  openai: openaiProtocol,
  anthropic: anthropicProtocol,
  gemini: geminiProtocol,
};

/** Start a fake of one provider on 127.0.0.1 with an ephemeral port. Azure is served by "openai". */
export function startFake(kind: FakeKind, options: StartOptions = {}): Promise<Fake> {
  return startProtocolFake(protocols[kind], options);
}
