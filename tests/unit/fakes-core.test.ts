// Cross-provider behaviour of tests/fakes with plain fetch: fault queueing, scripting,
// latency, trickle, hangs, and the request/abort records.
import OpenAI from "openai";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { countWords, splitChunks, startFake } from "../fakes/index.ts";
import type { Fake } from "../fakes/index.ts";

let fake: Fake;
beforeAll(async () => {
  fake = await startFake("openai");
});
afterEach(() => fake.reset());
afterAll(() => fake.close());

const chat = (body: Record<string, unknown> = {}, signal?: AbortSignal): Promise<Response> =>
  fetch(`${fake.url}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: "Bearer k" },
    body: JSON.stringify({ model: "m", messages: [{ role: "user", content: "hi there" }], ...body }),
    ...(signal ? { signal } : {}),
  });

describe("fake core", () => {
  it("splits text into per-word chunks that rejoin exactly, and counts words", () => {
    expect(splitChunks("Echo: hi  there ")).toEqual(["Echo: ", "hi  ", "there "]);
    expect(splitChunks("  lead")).toEqual(["  lead"]);
    expect(splitChunks("")).toEqual([]);
    expect(countWords(" a  b\nc ")).toBe(3);
  });

  it("applies a queued fault to one request only, then behaves normally", async () => {
    fake.enqueue({ status: 503, headers: { "x-extra": "1" } });
    const first = await chat();
    expect(first.status).toBe(503);
    expect(first.headers.get("x-extra")).toBe("1");
    expect(await first.json()).toMatchObject({ error: { type: "server_error", message: "Service unavailable" } });
    expect((await chat()).status).toBe(200);
  });

  it("queues a fault several times and filters faults by path", async () => {
    fake.enqueue({ status: 500, path: "/chat/" }, 2);
    expect((await fetch(`${fake.url}/v1/models`)).status).toBe(200);
    expect((await chat()).status).toBe(500);
    expect((await chat()).status).toBe(500);
    expect((await chat()).status).toBe(200);
  });

  it("delays before headers", async () => {
    fake.enqueue({ delayMs: 300 });
    const started = Date.now();
    const res = await chat();
    expect(Date.now() - started).toBeGreaterThanOrEqual(280);
    expect(res.status).toBe(200);
  });

  it("trickles stream frames with chunkDelayMs", async () => {
    fake.enqueue({ chunkDelayMs: 100, reply: "a b c" });
    const started = Date.now();
    const text = await (await chat({ stream: true })).text();
    // 3 deltas + finish chunk + [DONE], each delayed.
    expect(Date.now() - started).toBeGreaterThanOrEqual(450);
    expect(text.trimEnd().endsWith("data: [DONE]")).toBe(true);
  });

  it("records a client that gives up on a hanging request", async () => {
    fake.enqueue({ hang: true });
    const controller = new AbortController();
    const pending = chat({}, controller.signal).catch((e: unknown) => e);
    await fake.waitForRequests(1);
    const abortedAt = Date.now();
    controller.abort();
    expect(await pending).toBeInstanceOf(Error);
    const abort = await fake.waitForAbort(1000);
    expect(abort.time - abortedAt).toBeLessThan(1000);
    expect(abort.chunksSent).toBe(0);
  });

  it("records an SDK timeout on a hanging request as an abort", async () => {
    fake.enqueue({ hang: true });
    const client = new OpenAI({ baseURL: `${fake.url}/v1`, apiKey: "k", maxRetries: 0, timeout: 200 });
    await expect(client.chat.completions.create({ model: "m", messages: [] })).rejects.toBeInstanceOf(
      OpenAI.APIConnectionTimeoutError,
    );
    await fake.waitForAbort(1000);
  });

  it("scripts replies, finish reason and usage, and reset clears everything", async () => {
    fake.script({ reply: (req) => `path was ${req.path}`, finishReason: "length", usage: { promptTokens: 42 } });
    const body = (await (await chat()).json()) as {
      choices: { message: { content: string }; finish_reason: string }[];
      usage: { prompt_tokens: number; completion_tokens: number };
    };
    expect(body.choices[0]?.message.content).toBe("path was /v1/chat/completions");
    expect(body.choices[0]?.finish_reason).toBe("length");
    expect(body.usage).toMatchObject({ prompt_tokens: 42, completion_tokens: 3 });
    fake.enqueue({ status: 500 });
    fake.reset();
    expect(fake.requests).toEqual([]);
    const again = (await (await chat()).json()) as { choices: { message: { content: string } }[] };
    expect(again.choices[0]?.message.content).toBe("Echo: hi there");
  });

  it("records method, path, query, headers and parsed body", async () => {
    await fetch(`${fake.url}/v1/chat/completions?x=1`, {
      method: "POST",
      headers: { "content-type": "application/json", "X-Custom": "yes" },
      body: JSON.stringify({ model: "m", messages: [{ role: "user", content: "q" }] }),
    });
    const req = fake.requests[0];
    expect(req).toMatchObject({ method: "POST", path: "/v1/chat/completions", query: { x: "1" }, op: "chat", model: "m" });
    expect(req?.headers["x-custom"]).toBe("yes");
    expect(req?.body).toEqual({ model: "m", messages: [{ role: "user", content: "q" }] });
    expect(typeof req?.time).toBe("number");
  });

  it("answers unknown routes and invalid bodies like the provider", async () => {
    const unknown = await fetch(`${fake.url}/v1/nope`);
    expect(unknown.status).toBe(404);
    expect(fake.requests[0]?.op).toBe("unknown");
    const invalid = await chat({ messages: [] });
    expect(invalid.status).toBe(400);
    expect(await invalid.json()).toMatchObject({ error: { type: "invalid_request_error" } });
  });

  it("accepts the Gemini key as a query parameter", async () => {
    const gemini = await startFake("gemini", { apiKey: "gk" });
    try {
      const url = `${gemini.url}/v1beta/models/gemini-x:generateContent`;
      const body = JSON.stringify({ contents: [{ role: "user", parts: [{ text: "hi" }] }] });
      expect((await fetch(`${url}?key=gk`, { method: "POST", body })).status).toBe(200);
      const denied = await fetch(`${url}?key=bad`, { method: "POST", body });
      expect(denied.status).toBe(401);
      expect(await denied.json()).toMatchObject({ error: { code: 401, status: "UNAUTHENTICATED" } });
    } finally {
      await gemini.close();
    }
  });
});
