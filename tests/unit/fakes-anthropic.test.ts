// The anthropic fake driven by the official `@anthropic-ai/sdk`.
import Anthropic, { APIError, OverloadedError, RateLimitError } from "@anthropic-ai/sdk";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startFake } from "../fakes/index.ts";
import type { Fake } from "../fakes/index.ts";

let fake: Fake;
beforeAll(async () => {
  fake = await startFake("anthropic");
});
afterEach(() => fake.reset());
afterAll(() => fake.close());

const client = (maxRetries = 0): Anthropic =>
  new Anthropic({ baseURL: fake.url, apiKey: "sk-ant-test", maxRetries, logLevel: "off" });

const params = {
  model: "claude-haiku-4-5",
  max_tokens: 100,
  system: "be brief",
  messages: [{ role: "user" as const, content: "hello brave new world" }],
};

async function collectText(stream: AsyncIterable<Anthropic.MessageStreamEvent>): Promise<string> {
  let text = "";
  for await (const ev of stream) {
    if (ev.type === "content_block_delta" && ev.delta.type === "text_delta") text += ev.delta.text;
  }
  return text;
}

describe("anthropic fake", () => {
  it("answers a non-streaming message with deterministic text and usage", async () => {
    const msg = await client().messages.create(params);
    expect(msg.content).toEqual([{ type: "text", text: "Echo: hello brave new world" }]);
    expect(msg.stop_reason).toBe("end_turn");
    expect(msg.usage).toMatchObject({ input_tokens: 6, output_tokens: 5 });
    const req = fake.requests[0];
    expect(req).toMatchObject({ path: "/v1/messages", op: "chat", stream: false, model: "claude-haiku-4-5" });
    // @anthropic-ai/sdk 1.x sends apiKey as a bearer token, not x-api-key.
    expect(req?.headers["authorization"]).toBe("Bearer sk-ant-test");
    expect(req?.headers["anthropic-version"]).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });

  it("streams the full event sequence through messages.stream()", async () => {
    fake.script({ reply: "one two three" });
    const stream = client().messages.stream(params);
    const deltas: string[] = [];
    stream.on("text", (t) => deltas.push(t));
    const final = await stream.finalMessage();
    expect(deltas).toEqual(["one ", "two ", "three"]);
    expect(final.content).toEqual([{ type: "text", text: "one two three" }]);
    expect(final.usage).toMatchObject({ input_tokens: 6, output_tokens: 3 });
    expect(final.stop_reason).toBe("end_turn");
  });

  it("streams raw events with create({ stream: true })", async () => {
    const stream = await client().messages.create({ ...params, stream: true });
    const types: string[] = [];
    let text = "";
    for await (const ev of stream) {
      types.push(ev.type);
      if (ev.type === "content_block_delta" && ev.delta.type === "text_delta") text += ev.delta.text;
    }
    expect(text).toBe("Echo: hello brave new world");
    expect(types[0]).toBe("message_start");
    expect(types.slice(-3)).toEqual(["content_block_stop", "message_delta", "message_stop"]);
  });

  it("serves a 529 overloaded with Retry-After that the SDK retries", async () => {
    fake.enqueue({ status: 529, retryAfter: 1 });
    const started = Date.now();
    const msg = await client(1).messages.create(params);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(msg.content[0]).toMatchObject({ text: "Echo: hello brave new world" });
    expect(fake.requests).toHaveLength(2);
  });

  it("surfaces errors in Anthropic's shape", async () => {
    fake.enqueue({ status: 529 });
    const err: unknown = await client(0).messages.create(params).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OverloadedError);
    const e = err as OverloadedError;
    expect(e.status).toBe(529);
    expect(e.error).toEqual({ type: "error", error: { type: "overloaded_error", message: "Overloaded" } });
    expect(e.type).toBe("overloaded_error");

    fake.enqueue({ status: 429, retryAfter: 7 });
    const rl: unknown = await client(0).messages.create(params).catch((x: unknown) => x);
    expect(rl).toBeInstanceOf(RateLimitError);
    expect((rl as RateLimitError).headers.get("retry-after")).toBe("7");
  });

  it("rejects a request without max_tokens like the real API", async () => {
    const { max_tokens: _omit, ...noMax } = params;
    const c = client();
    // Bypass the SDK's types to send what a buggy adapter might send.
    const err: unknown = await c.post("/v1/messages", { body: noMax }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Anthropic.BadRequestError);
  });

  it("a cut mid-stream surfaces as an error", async () => {
    fake.enqueue({ cutAfterChunks: 2 });
    const stream = client().messages.stream(params);
    const deltas: string[] = [];
    stream.on("text", (t) => deltas.push(t));
    await expect(stream.finalMessage()).rejects.toThrow();
    expect(deltas.join("")).toBe("Echo: hello ");
    expect(fake.aborts).toEqual([]);
  });

  it("a malformed SSE frame surfaces as an error", async () => {
    fake.enqueue({ malformedAfterChunks: 1 });
    const stream = await client().messages.create({ ...params, stream: true });
    await expect(collectText(stream)).rejects.toBeInstanceOf(SyntaxError);
  });

  it("an in-stream error event surfaces as APIError", async () => {
    fake.enqueue({ streamError: { afterChunks: 1, status: 529 } });
    const stream = await client().messages.create({ ...params, stream: true });
    const err: unknown = await collectText(stream).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(APIError);
    expect((err as APIError).type).toBe("overloaded_error");
  });

  it("records a client abort within a second", async () => {
    fake.enqueue({ chunkDelayMs: 200 });
    const stream = client().messages.stream(params);
    let abortedAt = 0;
    stream.on("text", () => {
      if (abortedAt === 0) {
        abortedAt = Date.now();
        stream.abort();
      }
    });
    await expect(stream.finalMessage()).rejects.toThrow();
    const abort = await fake.waitForAbort(1000);
    expect(abort.time - abortedAt).toBeLessThan(1000);
    expect(abort.chunksSent).toBe(1);
  });

  it("accepts x-api-key and enforces the key when started with apiKey", async () => {
    const strict = await startFake("anthropic", { apiKey: "right" });
    try {
      const viaHeader = new Anthropic({
        baseURL: strict.url,
        apiKey: null,
        defaultHeaders: { "x-api-key": "right" },
        maxRetries: 0,
      });
      await expect(viaHeader.messages.create(params)).resolves.toMatchObject({ type: "message" });
      const wrong = new Anthropic({ baseURL: strict.url, apiKey: "wrong", maxRetries: 0 });
      await expect(wrong.messages.create(params)).rejects.toBeInstanceOf(Anthropic.AuthenticationError);
    } finally {
      await strict.close();
    }
  });

  it("lists models", async () => {
    const ids: string[] = [];
    for await (const m of client().models.list()) ids.push(m.id);
    expect(ids).toEqual(["claude-opus-4-6", "claude-haiku-4-5"]);
  });
});
