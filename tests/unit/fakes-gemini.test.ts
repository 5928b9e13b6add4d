// The gemini fake driven by the official `@google/genai` SDK.
import { ApiError, GoogleGenAI } from "@google/genai";
import type { GenerateContentResponse } from "@google/genai";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startFake } from "../fakes/index.ts";
import type { Fake } from "../fakes/index.ts";

let fake: Fake;
beforeAll(async () => {
  fake = await startFake("gemini");
});
afterEach(() => fake.reset());
afterAll(() => fake.close());

const client = (retry?: { attempts: number; initialDelay: number }): GoogleGenAI =>
  new GoogleGenAI({
    apiKey: "g-test",
    httpOptions: retry ? { baseUrl: fake.url, retryOptions: retry } : { baseUrl: fake.url },
  });

const request = {
  model: "gemini-2.5-flash",
  contents: "hello brave new world",
  config: { systemInstruction: "be brief" },
};

async function collect(stream: AsyncGenerator<GenerateContentResponse>): Promise<{ text: string; last?: GenerateContentResponse }> {
  let text = "";
  let last: GenerateContentResponse | undefined;
  for await (const chunk of stream) {
    text += chunk.text ?? "";
    last = chunk;
  }
  return last === undefined ? { text } : { text, last };
}

describe("gemini fake", () => {
  it("answers generateContent with deterministic text and usage", async () => {
    const res = await client().models.generateContent(request);
    expect(res.text).toBe("Echo: hello brave new world");
    expect(res.candidates?.[0]?.finishReason).toBe("STOP");
    expect(res.usageMetadata).toMatchObject({ promptTokenCount: 6, candidatesTokenCount: 5, totalTokenCount: 11 });
    const req = fake.requests[0];
    expect(req).toMatchObject({
      method: "POST",
      path: "/v1beta/models/gemini-2.5-flash:generateContent",
      op: "chat",
      stream: false,
      model: "gemini-2.5-flash",
    });
    expect(req?.headers["x-goog-api-key"]).toBe("g-test");
  });

  it("streams with alt=sse, one chunk per word, usage on the last chunk", async () => {
    fake.script({ reply: "one two three" });
    const stream = await client().models.generateContentStream(request);
    const chunks: string[] = [];
    let last: GenerateContentResponse | undefined;
    for await (const c of stream) {
      chunks.push(c.text ?? "");
      last = c;
    }
    expect(chunks).toEqual(["one ", "two ", "three"]);
    expect(last?.candidates?.[0]?.finishReason).toBe("STOP");
    expect(last?.usageMetadata).toMatchObject({ promptTokenCount: 6, candidatesTokenCount: 3, totalTokenCount: 9 });
    expect(fake.requests[0]).toMatchObject({
      path: "/v1beta/models/gemini-2.5-flash:streamGenerateContent",
      query: { alt: "sse" },
      stream: true,
    });
  });

  it("honours httpOptions.apiVersion in the path", async () => {
    const v1 = new GoogleGenAI({ apiKey: "g-test", httpOptions: { baseUrl: fake.url, apiVersion: "v1" } });
    await v1.models.generateContent(request);
    expect(fake.requests[0]?.path).toBe("/v1/models/gemini-2.5-flash:generateContent");
  });

  it("surfaces a 429 as ApiError in Gemini's shape (no retries by default)", async () => {
    fake.enqueue({ status: 429, retryAfter: 1 });
    const err: unknown = await client().models.generateContent(request).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).status).toBe(429);
    expect(JSON.parse((err as ApiError).message)).toEqual({
      error: { code: 429, message: "Rate limit exceeded", status: "RESOURCE_EXHAUSTED" },
    });
    expect(fake.requests).toHaveLength(1);
  });

  it("is retried by the SDK when retryOptions are set", async () => {
    fake.enqueue({ status: 503 });
    const res = await client({ attempts: 2, initialDelay: 0.05 }).models.generateContent(request);
    expect(res.text).toBe("Echo: hello brave new world");
    expect(fake.requests.map((r) => r.fault?.status)).toEqual([503, undefined]);
  });

  it("a cut mid-stream surfaces as an error", async () => {
    fake.enqueue({ cutAfterChunks: 2 });
    const stream = await client().models.generateContentStream(request);
    const seen: string[] = [];
    const run = async (): Promise<void> => {
      for await (const c of stream) seen.push(c.text ?? "");
    };
    await expect(run()).rejects.toThrow();
    expect(seen.join("")).toBe("Echo: hello ");
    expect(fake.aborts).toEqual([]);
    expect(fake.requests).toHaveLength(1);
  });

  it("a malformed SSE frame surfaces as an error", async () => {
    fake.enqueue({ malformedAfterChunks: 1 });
    const stream = await client().models.generateContentStream(request);
    await expect(collect(stream)).rejects.toThrow();
  });

  it("an in-stream error object surfaces as ApiError", async () => {
    fake.enqueue({ streamError: { afterChunks: 1, status: 503 } });
    const stream = await client().models.generateContentStream(request);
    const err: unknown = await collect(stream).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).status).toBe(503);
  });

  it("records a client abort within a second", async () => {
    fake.enqueue({ chunkDelayMs: 200 });
    const controller = new AbortController();
    const stream = await client().models.generateContentStream({
      ...request,
      config: { ...request.config, abortSignal: controller.signal },
    });
    let abortedAt = 0;
    const run = async (): Promise<void> => {
      for await (const c of stream) {
        if (c.text && abortedAt === 0) {
          abortedAt = Date.now();
          controller.abort();
        }
      }
    };
    await run().catch(() => undefined);
    const abort = await fake.waitForAbort(1000);
    expect(abort.time - abortedAt).toBeLessThan(1000);
    expect(abort.chunksSent).toBe(1);
  });

  it("lists models", async () => {
    fake.script({ models: ["gemini-a", "gemini-b"] });
    const names: string[] = [];
    for await (const m of await client().models.list()) names.push(m.name ?? "");
    expect(names).toEqual(["models/gemini-a", "models/gemini-b"]);
    expect(fake.requests[0]?.path).toBe("/v1beta/models");
  });
});
