// The openai fake driven by the official `openai` SDK (OpenAI and AzureOpenAI clients).
import OpenAI, { AzureOpenAI } from "openai";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startFake } from "../fakes/index.ts";
import type { Fake } from "../fakes/index.ts";

let fake: Fake;
beforeAll(async () => {
  fake = await startFake("openai");
});
afterEach(() => fake.reset());
afterAll(() => fake.close());

const client = (maxRetries = 0): OpenAI =>
  new OpenAI({ baseURL: `${fake.url}/v1`, apiKey: "sk-test", maxRetries, logLevel: "off" });

const messages = [
  { role: "system" as const, content: "be brief" },
  { role: "user" as const, content: "hello brave new world" },
];

async function collect(stream: AsyncIterable<OpenAI.Chat.Completions.ChatCompletionChunk>): Promise<{
  text: string;
  deltas: number;
  usage: OpenAI.Completions.CompletionUsage | null | undefined;
  finish: string | null | undefined;
}> {
  let text = "";
  let deltas = 0;
  let usage: OpenAI.Completions.CompletionUsage | null | undefined;
  let finish: string | null | undefined;
  for await (const chunk of stream) {
    const content = chunk.choices[0]?.delta.content;
    if (content) {
      text += content;
      deltas++;
    }
    finish = chunk.choices[0]?.finish_reason ?? finish;
    if (chunk.usage) usage = chunk.usage;
  }
  return { text, deltas, usage, finish };
}

describe("openai fake", () => {
  it("answers a non-streaming chat completion with deterministic text and usage", async () => {
    const res = await client().chat.completions.create({ model: "gpt-4o-mini", messages });
    expect(res.choices[0]?.message.content).toBe("Echo: hello brave new world");
    expect(res.choices[0]?.finish_reason).toBe("stop");
    expect(res.usage).toMatchObject({ prompt_tokens: 6, completion_tokens: 5, total_tokens: 11 });
    const req = fake.requests[0];
    expect(req).toMatchObject({ method: "POST", path: "/v1/chat/completions", op: "chat", stream: false, model: "gpt-4o-mini" });
    expect(req?.headers["authorization"]).toBe("Bearer sk-test");
  });

  it("streams one chunk per word and a final usage chunk", async () => {
    fake.script({ reply: "one two three" });
    const stream = await client().chat.completions.create({
      model: "gpt-4o-mini",
      messages,
      stream: true,
      stream_options: { include_usage: true },
    });
    const out = await collect(stream);
    expect(out).toEqual({
      text: "one two three",
      deltas: 3,
      finish: "stop",
      usage: expect.objectContaining({ prompt_tokens: 6, completion_tokens: 3, total_tokens: 9 }),
    });
    expect(fake.requests[0]?.stream).toBe(true);
  });

  it("omits the usage chunk without stream_options.include_usage", async () => {
    const stream = await client().chat.completions.create({ model: "m", messages, stream: true });
    expect((await collect(stream)).usage).toBeUndefined();
  });

  it("serves a 429 with Retry-After that the SDK waits for and retries", async () => {
    fake.enqueue({ status: 429, retryAfter: 1 });
    const started = Date.now();
    const res = await client(1).chat.completions.create({ model: "m", messages });
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(res.choices[0]?.message.content).toBe("Echo: hello brave new world");
    expect(fake.requests.map((r) => r.fault?.status)).toEqual([429, undefined]);
  });

  it("surfaces a 429 as RateLimitError with the provider body when retries are off", async () => {
    fake.enqueue({ status: 429, retryAfterMs: 10 });
    const err: unknown = await client(0).chat.completions.create({ model: "m", messages }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.RateLimitError);
    const e = err as InstanceType<typeof OpenAI.RateLimitError>;
    expect(e.status).toBe(429);
    expect(e.code).toBe("rate_limit_exceeded");
    expect(e.headers.get("retry-after-ms")).toBe("10");
  });

  it("retries a dropped connection", async () => {
    fake.enqueue({ dropConnection: true });
    const res = await client(1).chat.completions.create({ model: "m", messages });
    expect(res.choices[0]?.message.content).toContain("Echo:");
    expect(fake.requests).toHaveLength(2);
  });

  it("a cut mid-stream surfaces as an error after the chunks already sent", async () => {
    fake.enqueue({ cutAfterChunks: 2 });
    const stream = await client().chat.completions.create({ model: "m", messages, stream: true });
    let text = "";
    const run = async (): Promise<void> => {
      for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? "";
    };
    await expect(run()).rejects.toThrow();
    expect(text).toBe("Echo: hello ");
    expect(fake.aborts).toEqual([]);
  });

  it("a cut non-streaming body surfaces as an error", async () => {
    fake.enqueue({ cutAfterChunks: 0 });
    await expect(client().chat.completions.create({ model: "m", messages })).rejects.toThrow();
  });

  it("a malformed SSE frame surfaces as an error", async () => {
    fake.enqueue({ malformedAfterChunks: 1 });
    const stream = await client().chat.completions.create({ model: "m", messages, stream: true });
    await expect(collect(stream)).rejects.toBeInstanceOf(SyntaxError);
  });

  it("an in-stream error object surfaces as APIError", async () => {
    fake.enqueue({ streamError: { afterChunks: 1, status: 500, message: "boom" } });
    const stream = await client().chat.completions.create({ model: "m", messages, stream: true });
    await expect(collect(stream)).rejects.toBeInstanceOf(OpenAI.APIError);
  });

  it("records a client abort within a second", async () => {
    fake.enqueue({ chunkDelayMs: 200 });
    const controller = new AbortController();
    const stream = await client().chat.completions.create(
      { model: "m", messages, stream: true },
      { signal: controller.signal },
    );
    let abortedAt = 0;
    for await (const chunk of stream) {
      if (chunk.choices[0]?.delta.content) {
        abortedAt = Date.now();
        controller.abort();
      }
    }
    const abort = await fake.waitForAbort(1000);
    expect(abort.time - abortedAt).toBeLessThan(1000);
    expect(abort.request.stream).toBe(true);
    expect(abort.chunksSent).toBe(1);
  });

  it("lists models", async () => {
    fake.script({ models: ["a", "b"] });
    const ids: string[] = [];
    for await (const m of client().models.list()) ids.push(m.id);
    expect(ids).toEqual(["a", "b"]);
  });

  it("serves Azure deployments with api-key and api-version", async () => {
    const azure = new AzureOpenAI({
      endpoint: fake.url,
      apiKey: "az-key",
      apiVersion: "2024-10-21",
      deployment: "my-gpt",
      maxRetries: 0,
    });
    const res = await azure.chat.completions.create({ model: "", messages });
    expect(res.choices[0]?.message.content).toBe("Echo: hello brave new world");
    const stream = await azure.chat.completions.create({ model: "", messages, stream: true });
    expect((await collect(stream)).text).toBe("Echo: hello brave new world");
    for (const req of fake.requests) {
      expect(req).toMatchObject({
        path: "/openai/deployments/my-gpt/chat/completions",
        deployment: "my-gpt",
        model: "my-gpt",
        apiVersion: "2024-10-21",
        query: { "api-version": "2024-10-21" },
      });
      expect(req.headers["api-key"]).toBe("az-key");
      expect(req.headers["authorization"]).toBeUndefined();
    }
  });

  it("serves the Azure v1 API path", async () => {
    const v1 = new OpenAI({ baseURL: `${fake.url}/openai/v1`, apiKey: "az-key", maxRetries: 0 });
    const res = await v1.chat.completions.create({ model: "my-gpt", messages });
    expect(res.usage?.completion_tokens).toBe(5);
    expect(fake.requests[0]?.path).toBe("/openai/v1/chat/completions");
  });

  it("rejects a wrong key with 401 when started with apiKey", async () => {
    const strict = await startFake("openai", { apiKey: "right" });
    try {
      const bad = new OpenAI({ baseURL: `${strict.url}/v1`, apiKey: "wrong", maxRetries: 0 });
      await expect(bad.chat.completions.create({ model: "m", messages })).rejects.toBeInstanceOf(
        OpenAI.AuthenticationError,
      );
    } finally {
      await strict.close();
    }
  });
});
