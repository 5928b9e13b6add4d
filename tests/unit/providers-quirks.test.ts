// What each adapter puts on the wire, read back from the fakes' recorded requests: parameter
// quirks, system prompts, roles, Azure deployments, auth headers, the caller's fetch.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { AppError } from "../../functions/_shared/errors.ts";
import { createAdapter } from "../../functions/_shared/providers/index.ts";
import type { ChatRequest, ProviderConnection } from "../../functions/_shared/providers/index.ts";
import { startFake } from "../fakes/index.ts";
import type { Fake, RecordedRequest } from "../fakes/index.ts";

let openai: Fake;
let anthropic: Fake;
let gemini: Fake;
beforeAll(async () => {
  [openai, anthropic, gemini] = await Promise.all([startFake("openai"), startFake("anthropic"), startFake("gemini")]);
});
afterEach(() => {
  for (const fake of [openai, anthropic, gemini]) fake.reset();
});
afterAll(async () => {
  await Promise.all([openai.close(), anthropic.close(), gemini.close()]);
});

const chat = (model: string, extra: Partial<ChatRequest> = {}): ChatRequest => ({
  model,
  messages: [
    { role: "system", content: "be brief" },
    { role: "user", content: "hello" },
    { role: "assistant", content: "hi" },
    { role: "user", content: "how are you" },
  ],
  temperature: 0.3,
  maxOutputTokens: 50,
  ...extra,
});

/** Stream to the end and return the one recorded request. */
async function sent(conn: ProviderConnection, req: ChatRequest, fake: Fake): Promise<RecordedRequest> {
  for await (const ev of createAdapter(conn).stream(req)) void ev;
  expect(fake.requests).toHaveLength(1);
  return fake.requests[0] as RecordedRequest;
}

describe("OpenAI-style requests", () => {
  const conn = (extra: Partial<ProviderConnection> = {}): ProviderConnection => ({
    type: "openai", baseUrl: `${openai.url}/v1`, apiKey: "sk-test-openai", ...extra,
  });

  it("sends a chat model its temperature, max_completion_tokens and the stream usage option", async () => {
    const req = await sent(conn({ organization: "org-acme" }), chat("gpt-4o-mini"), openai);
    expect(req.body).toMatchObject({ model: "gpt-4o-mini", temperature: 0.3, max_completion_tokens: 50, stream_options: { include_usage: true } });
    expect(req.body).not.toHaveProperty("max_tokens");
    expect(req.headers).toMatchObject({ authorization: "Bearer sk-test-openai", "openai-organization": "org-acme" });
  });

  it("leaves temperature out for reasoning models", async () => {
    for (const model of ["o3-mini", "gpt-5-mini"]) {
      openai.reset();
      const req = await sent(conn(), chat(model), openai);
      expect(req.body).not.toHaveProperty("temperature");
      expect(req.body).toMatchObject({ max_completion_tokens: 50, messages: [{ role: "system", content: "be brief" }, {}, {}, {}] });
    }
  });

  it("folds the system prompt into the first user turn for o1-mini", async () => {
    const req = await sent(conn(), chat("o1-mini"), openai);
    expect((req.body as { messages: unknown[] }).messages).toEqual([
      { role: "user", content: "be brief\n\nhello" },
      { role: "assistant", content: "hi" },
      { role: "user", content: "how are you" },
    ]);
  });

  it("lets the model row's quirks override the inferred ones", async () => {
    const quirks = { noTemperature: true, maxTokensParam: "max_tokens", systemRole: "developer" } as const;
    const req = await sent(conn(), chat("gpt-4o", { quirks }), openai);
    expect(req.body).toMatchObject({ max_tokens: 50, messages: [{ role: "developer", content: "be brief" }, {}, {}, {}] });
    expect(req.body).not.toHaveProperty("temperature");
    expect(req.body).not.toHaveProperty("max_completion_tokens");
  });

  it("sends Mistral max_tokens and no stream_options (it refuses unknown fields)", async () => {
    const req = await sent({ type: "mistral", baseUrl: `${openai.url}/v1`, apiKey: "m-key" }, chat("mistral-large-latest"), openai);
    expect(req.body).toMatchObject({ temperature: 0.3, max_tokens: 50 });
    expect(req.body).not.toHaveProperty("stream_options");
    expect(req.body).not.toHaveProperty("max_completion_tokens");
  });

  it("sends xAI max_tokens with the stream usage option", async () => {
    const req = await sent({ type: "xai", baseUrl: `${openai.url}/v1`, apiKey: "xai-key" }, chat("grok-4"), openai);
    expect(req.body).toMatchObject({ max_tokens: 50, stream_options: { include_usage: true } });
    expect(req.headers["authorization"]).toBe("Bearer xai-key");
  });

  it("sends no Authorization header to a keyless compatible server (Ollama)", async () => {
    const req = await sent({ type: "openai_compatible", baseUrl: `${openai.url}/v1/` }, chat("llama3.2"), openai);
    expect(req.path).toBe("/v1/chat/completions");
    expect(req.headers["authorization"]).toBeUndefined();
  });

  it("passes extra headers but not transport ones, and uses the caller's fetch for every request", async () => {
    const seen: string[] = [];
    const guarded: typeof fetch = (input, init) => {
      seen.push(String(input instanceof Request ? input.url : input));
      return fetch(input, init);
    };
    openai.enqueue({ status: 503, retryAfterMs: 10 });
    const extraHeaders = { "x-tenant-tag": "acme", host: "metadata.internal" };
    const req = await createAdapter(conn({ extraHeaders, fetch: guarded })).complete(chat("gpt-4o"));
    expect(req.text).toContain("Echo:");
    expect(seen).toHaveLength(2);
    expect(openai.requests[1]?.headers).toMatchObject({ "x-tenant-tag": "acme", host: openai.url.replace("http://", "") });
  });

  it("uses a bearer token from getToken when given one", async () => {
    let calls = 0;
    const getToken = async (): Promise<string> => `tok-${++calls}`;
    await createAdapter(conn({ apiKey: undefined, getToken })).complete(chat("gpt-4o"));
    expect(openai.requests[0]?.headers["authorization"]).toBe("Bearer tok-1");
  });
});

describe("Azure OpenAI requests", () => {
  const conn = (extra: Partial<ProviderConnection> = {}): ProviderConnection => ({
    type: "azure_openai",
    baseUrl: `${openai.url}/`,
    apiKey: "az-key",
    deployments: { "gpt-4o": "prod-gpt4o", "o3-mini": "reasoner" },
    ...extra,
  });

  it("calls the deployment path with api-version and the api-key header", async () => {
    const req = await sent(conn({ apiVersion: "2025-01-01" }), chat("gpt-4o"), openai);
    expect(req).toMatchObject({ path: "/openai/deployments/prod-gpt4o/chat/completions", deployment: "prod-gpt4o", query: { "api-version": "2025-01-01" } });
    expect(req.headers["api-key"]).toBe("az-key");
    expect(req.headers["authorization"]).toBeUndefined();
    expect(req.body).toMatchObject({ temperature: 0.3, max_tokens: 50, stream_options: { include_usage: true } });
  });

  it("defaults the api-version and gives reasoning deployments max_completion_tokens, no temperature", async () => {
    const req = await sent(conn(), chat("o3-mini"), openai);
    expect(req).toMatchObject({ path: "/openai/deployments/reasoner/chat/completions", apiVersion: "2024-10-21" });
    expect(req.body).toMatchObject({ max_completion_tokens: 50 });
    expect(req.body).not.toHaveProperty("temperature");
  });

  it("sends an Entra ID token instead of api-key when getToken is given", async () => {
    const req = await sent(conn({ apiKey: undefined, getToken: async () => "entra-token" }), chat("gpt-4o"), openai);
    expect(req.headers["authorization"]).toBe("Bearer entra-token");
    expect(req.headers["api-key"]).toBeUndefined();
  });

  it("speaks Azure's v1 API with the deployment as the model", async () => {
    const req = await sent(conn({ baseUrl: `${openai.url}/openai`, apiVersion: "v1" }), chat("gpt-4o"), openai);
    expect(req).toMatchObject({ path: "/openai/v1/chat/completions", model: "prod-gpt4o" });
  });
});

describe("Anthropic requests", () => {
  const make = (extra: Partial<ProviderConnection> = {}): ProviderConnection => ({
    type: "anthropic", baseUrl: anthropic.url, apiKey: "sk-ant-test", ...extra,
  });

  it("sends the system prompt apart, max_tokens, no temperature, and the key in x-api-key", async () => {
    const req = await sent(make(), chat("claude-haiku-4-5", { messages: [{ role: "system", content: "be brief" }, { role: "system", content: "be kind" }, { role: "user", content: "hello" }] }), anthropic);
    expect(req.path).toBe("/v1/messages");
    expect(req.body).toEqual({ model: "claude-haiku-4-5", max_tokens: 50, system: "be brief\n\nbe kind", messages: [{ role: "user", content: "hello" }], stream: true });
    expect(req.headers["x-api-key"]).toBe("sk-ant-test");
    expect(req.headers["authorization"]).toBeUndefined();
    expect(req.headers["anthropic-version"]).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });

  it("fills in max_tokens when the caller sets no limit", async () => {
    await createAdapter(make()).complete(chat("claude-haiku-4-5", { maxOutputTokens: undefined }));
    expect(anthropic.requests[0]?.body).toMatchObject({ max_tokens: 4096, stream: false });
  });

  it("sends a bearer token when getToken is given", async () => {
    await createAdapter(make({ apiKey: undefined, getToken: async () => "ant-oauth" })).complete(chat("claude-haiku-4-5"));
    expect(anthropic.requests[0]?.headers["authorization"]).toBe("Bearer ant-oauth");
  });
});

describe("Gemini requests", () => {
  const conn = (extra: Partial<ProviderConnection> = {}): ProviderConnection => ({ type: "google", baseUrl: gemini.url, apiKey: "g-test", ...extra });

  it("uses roles user/model, systemInstruction and generationConfig over alt=sse", async () => {
    const messages = [...chat("x").messages, { role: "user" as const, content: "and today?" }];
    const req = await sent(conn(), chat("gemini-2.5-flash", { messages }), gemini);
    expect(req).toMatchObject({ path: "/v1beta/models/gemini-2.5-flash:streamGenerateContent", query: { alt: "sse" } });
    expect(req.body).toMatchObject({
      systemInstruction: { parts: [{ text: "be brief" }] },
      contents: [
        { role: "user", parts: [{ text: "hello" }] },
        { role: "model", parts: [{ text: "hi" }] },
        { role: "user", parts: [{ text: "how are you" }, { text: "and today?" }] },
      ],
      generationConfig: { temperature: 0.3, maxOutputTokens: 50 },
    });
    expect(req.headers["x-goog-api-key"]).toBe("g-test");
  });

  it("honours the api version and replaces the key with a bearer token from getToken", async () => {
    await createAdapter(conn({ apiVersion: "v1", apiKey: undefined, getToken: async () => "g-oauth" })).complete(chat("gemini-2.5-pro"));
    const req = gemini.requests[0];
    expect(req?.path).toBe("/v1/models/gemini-2.5-pro:generateContent");
    expect(req?.headers["authorization"]).toBe("Bearer g-oauth");
    expect(req?.headers["x-goog-api-key"]).toBeUndefined();
  });
});

describe("misconfigured providers", () => {
  it.each<ProviderConnection>([
    { type: "azure_openai", apiKey: "k" },
    { type: "azure_openai", baseUrl: "https://res.openai.azure.com" },
    { type: "openai_compatible", apiKey: "k" },
    { type: "anthropic" },
    { type: "google" },
  ])("refuses $type without what it needs", (conn) => {
    const err: unknown = (() => {
      try {
        createAdapter(conn);
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(AppError);
    expect(err).toMatchObject({ status: 502, code: "provider_misconfigured" });
  });
});
