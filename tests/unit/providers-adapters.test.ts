// The provider contract, run for every provider type against its wire-protocol fake: streaming and
// not, exact usage, finish reasons, abort, retries only before the first byte, clean errors.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { AppError } from "../../functions/_shared/errors.ts";
import { createAdapter } from "../../functions/_shared/providers/index.ts";
import type { ChatRequest, ProviderAdapter, ProviderConnection, ProviderType, StreamEvent } from "../../functions/_shared/providers/index.ts";
import { startFake } from "../fakes/index.ts";
import type { Fake, FakeKind } from "../fakes/index.ts";

interface Case {
  type: ProviderType;
  fake: FakeKind;
  model: string;
  conn(url: string): ProviderConnection;
  /** The provider's own word for "stopped at the token limit". */
  lengthReason: string;
  /** Mistral is not asked for stream usage (it refuses stream_options); the fake then sends none. */
  streamUsage: boolean;
}

const cases: Case[] = [
  { type: "openai", fake: "openai", model: "gpt-4o-mini", lengthReason: "length", streamUsage: true,
    conn: (url) => ({ type: "openai", baseUrl: `${url}/v1`, apiKey: "sk-test-openai" }) },
  { type: "mistral", fake: "openai", model: "mistral-small-latest", lengthReason: "length", streamUsage: false,
    conn: (url) => ({ type: "mistral", baseUrl: `${url}/v1`, apiKey: "mistral-key" }) },
  { type: "xai", fake: "openai", model: "grok-4", lengthReason: "length", streamUsage: true,
    conn: (url) => ({ type: "xai", baseUrl: `${url}/v1`, apiKey: "xai-key" }) },
  { type: "openai_compatible", fake: "openai", model: "llama3.2", lengthReason: "length", streamUsage: true,
    conn: (url) => ({ type: "openai_compatible", baseUrl: `${url}/v1` }) },
  { type: "azure_openai", fake: "openai", model: "gpt-4o", lengthReason: "length", streamUsage: true,
    conn: (url) => ({ type: "azure_openai", baseUrl: url, apiKey: "az-key", apiVersion: "2024-10-21", deployments: { "gpt-4o": "prod-gpt4o" } }) },
  { type: "anthropic", fake: "anthropic", model: "claude-haiku-4-5", lengthReason: "max_tokens", streamUsage: true,
    conn: (url) => ({ type: "anthropic", baseUrl: url, apiKey: "sk-ant-test" }) },
  { type: "google", fake: "gemini", model: "gemini-2.5-flash", lengthReason: "MAX_TOKENS", streamUsage: true,
    conn: (url) => ({ type: "google", baseUrl: url, apiKey: "g-test" }) },
];

const fakes = new Map<FakeKind, Fake>();
beforeAll(async () => {
  for (const kind of ["openai", "anthropic", "gemini"] as const) fakes.set(kind, await startFake(kind));
});
// Provider errors are logged by design; keep the test output readable.
beforeEach(() => {
  vi.spyOn(console, "error").mockImplementation(() => undefined);
  vi.spyOn(console, "log").mockImplementation(() => undefined);
});
afterEach(() => {
  for (const fake of fakes.values()) fake.reset();
  vi.restoreAllMocks();
});
afterAll(async () => {
  for (const fake of fakes.values()) await fake.close();
});

interface Outcome {
  deltas: string[];
  done?: Extract<StreamEvent, { type: "done" }>;
  events: number;
  error?: unknown;
}

async function collect(events: AsyncIterable<StreamEvent>, onDelta?: (n: number) => boolean): Promise<Outcome> {
  const out: Outcome = { deltas: [], events: 0 };
  try {
    for await (const ev of events) {
      out.events++;
      if (ev.type === "delta") {
        out.deltas.push(ev.text);
        if (onDelta?.(out.deltas.length) === false) break;
      } else out.done = ev;
    }
  } catch (err) {
    out.error = err;
  }
  return out;
}

function appError(err: unknown): AppError {
  expect(err).toBeInstanceOf(AppError);
  return err as AppError;
}

describe.each(cases)("$type adapter", (c) => {
  const fake = (): Fake => fakes.get(c.fake) as Fake;
  const adapter = (retry = { baseDelayMs: 10 }): ProviderAdapter => createAdapter(c.conn(fake().url), { retry });
  const request = (extra: Partial<ChatRequest> = {}): ChatRequest => ({
    model: c.model,
    messages: [
      { role: "system", content: "be brief" },
      { role: "user", content: "hello brave new world" },
    ],
    ...extra,
  });

  it("streams deltas, then exactly one done with the usage and finish reason", async () => {
    fake().script({ reply: "one two three", usage: { promptTokens: 17, completionTokens: 42 } });
    const out = await collect(adapter().stream(request()));
    expect(out.error).toBeUndefined();
    expect(out.deltas).toEqual(["one ", "two ", "three"]);
    expect(out.events).toBe(4);
    expect(out.done).toEqual({
      type: "done",
      usage: c.streamUsage ? { inputTokens: 17, outputTokens: 42 } : { inputTokens: 0, outputTokens: 0 },
      finishReason: "stop",
    });
    expect(fake().requests).toHaveLength(1);
    expect(fake().requests[0]).toMatchObject({ op: "chat", stream: true });
  });

  it("completes without streaming, with exact usage", async () => {
    fake().script({ usage: { promptTokens: 11, completionTokens: 5 } });
    const res = await adapter().complete(request());
    expect(res).toEqual({ text: "Echo: hello brave new world", usage: { inputTokens: 11, outputTokens: 5 }, finishReason: "stop" });
    expect(fake().requests[0]).toMatchObject({ op: "chat", stream: false });
  });

  it("reports a token-limit stop as finish reason \"length\"", async () => {
    fake().script({ finishReason: c.lengthReason });
    expect((await adapter().complete(request())).finishReason).toBe("length");
    expect((await collect(adapter().stream(request()))).done?.finishReason).toBe("length");
  });

  it("cancels the upstream request within a second of the caller's abort", async () => {
    fake().enqueue({ chunkDelayMs: 200 });
    const controller = new AbortController();
    let abortedAt = 0;
    const out = await collect(adapter().stream(request({ signal: controller.signal })), () => {
      abortedAt = Date.now();
      controller.abort();
      return true;
    });
    expect(out.error).toBe(controller.signal.reason);
    expect(out.done).toBeUndefined();
    const abort = await fake().waitForAbort(1000);
    expect(abort.time - abortedAt).toBeLessThan(1000);
    expect(abort.chunksSent).toBe(1);
  });

  it("cancels the upstream request when the consumer stops reading", async () => {
    fake().enqueue({ chunkDelayMs: 200 });
    const out = await collect(adapter().stream(request()), () => false);
    expect(out.deltas).toHaveLength(1);
    await fake().waitForAbort(1000);
  });

  it("cancels a request that has not answered yet", async () => {
    fake().enqueue({ hang: true });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const err: unknown = await adapter().complete(request({ signal: controller.signal })).catch((e: unknown) => e);
    expect(err).toBe(controller.signal.reason);
    await fake().waitForAbort(1000);
  });

  it("answers 504 when the caller's deadline passes before the upstream answers", async () => {
    fake().enqueue({ hang: true });
    const out = await collect(adapter().stream(request({ signal: AbortSignal.timeout(150) })));
    expect(appError(out.error)).toMatchObject({ status: 504, code: "provider_timeout" });
    await fake().waitForAbort(1000);
  });

  it("retries a 429 after the Retry-After it was given", async () => {
    fake().enqueue({ status: 429, retryAfter: 1 });
    const out = await collect(adapter().stream(request()));
    expect(out.error).toBeUndefined();
    expect(out.deltas.join("")).toBe("Echo: hello brave new world");
    const [first, second] = fake().requests;
    expect(fake().requests).toHaveLength(2);
    expect((second?.time ?? 0) - (first?.time ?? 0)).toBeGreaterThanOrEqual(990);
  });

  it("does not wait for a Retry-After beyond the cap, and passes it on", async () => {
    fake().enqueue({ status: 429, retryAfter: 60 });
    const err = appError(await adapter().complete(request()).catch((e: unknown) => e));
    expect(err).toMatchObject({ status: 429, family: "rate_limited", code: "provider_rate_limited", headers: { "retry-after": "60" } });
    expect(fake().requests).toHaveLength(1);
  });

  it("retries 5xx and dropped connections with backoff, then gives up with 503", async () => {
    fake().enqueue({ status: 503 });
    fake().enqueue({ dropConnection: true });
    expect((await adapter().complete(request())).text).toBe("Echo: hello brave new world");
    expect(fake().requests).toHaveLength(3);

    fake().reset();
    fake().enqueue({ status: 500 }, 3);
    const err = appError(await adapter().complete(request()).catch((e: unknown) => e));
    expect(err).toMatchObject({ status: 503, code: "provider_unavailable" });
    expect(fake().requests).toHaveLength(3);
  });

  it("never retries once the stream has started: a cut is an error after the deltas", async () => {
    fake().enqueue({ cutAfterChunks: 2 });
    const out = await collect(adapter().stream(request()));
    expect(out.deltas.join("")).toBe("Echo: hello ");
    expect(out.done).toBeUndefined();
    expect(appError(out.error)).toMatchObject({ status: 502, code: "provider_stream_interrupted" });
    expect(fake().requests).toHaveLength(1);
    expect(fake().aborts).toEqual([]);
  });

  it("does not retry a stream cut before its first delta either", async () => {
    fake().enqueue({ cutAfterChunks: 0 });
    const out = await collect(adapter().stream(request()));
    expect(appError(out.error).code).toBe("provider_stream_interrupted");
    expect(fake().requests).toHaveLength(1);
  });

  it("turns a malformed frame and an in-stream error event into a clean 502", async () => {
    fake().enqueue({ malformedAfterChunks: 1 });
    const malformed = await collect(adapter().stream(request()));
    expect(malformed.deltas).toEqual(["Echo: "]);
    expect(appError(malformed.error)).toMatchObject({ status: 502, code: "provider_stream_interrupted" });

    fake().enqueue({ streamError: { afterChunks: 1, status: 503, message: "upstream melted" } });
    const failed = await collect(adapter().stream(request()));
    expect(appError(failed.error).code).toBe("provider_stream_interrupted");
    expect(String(appError(failed.error).message)).not.toContain("melted");
  });

  it("does not retry a non-streamed body that broke after the status line", async () => {
    fake().enqueue({ cutAfterChunks: 0 });
    expect(appError(await adapter().complete(request()).catch((e: unknown) => e))).toMatchObject({ status: 502, code: "provider_bad_response" });
    fake().enqueue({ malformedAfterChunks: 0 });
    expect(appError(await adapter().complete(request()).catch((e: unknown) => e)).code).toBe("provider_bad_response");
    expect(fake().requests).toHaveLength(2);
  });

  it("maps a 401 to provider_auth_failed without leaking the upstream's words", async () => {
    const logged: string[] = [];
    vi.spyOn(console, "error").mockImplementation((line: string) => void logged.push(line));
    fake().enqueue({ status: 401, message: "Incorrect API key provided: sk-canary-9f8e7d6c5b4a" });
    const err = appError(await adapter().complete(request()).catch((e: unknown) => e));
    expect(err).toMatchObject({ status: 502, type: "upstream_error", code: "provider_auth_failed" });
    expect(JSON.stringify(err.body())).not.toMatch(/Incorrect|canary/);
    expect(fake().requests).toHaveLength(1);
    const line = logged.find((l) => l.includes("provider_error")) ?? "";
    expect(line).toContain("Incorrect API key provided");
    expect(line).not.toContain("sk-canary-9f8e7d6c5b4a");
  });

  it("maps a 400 to provider_rejected_request and does not retry it", async () => {
    fake().enqueue({ status: 400, message: "bad field" });
    expect(appError(await adapter().complete(request()).catch((e: unknown) => e))).toMatchObject({ status: 502, code: "provider_rejected_request" });
    expect(fake().requests).toHaveLength(1);
  });

  it("lists the provider's models", async () => {
    fake().script({ models: ["model-a", "model-b"] });
    expect(await adapter().listModels()).toEqual(["model-a", "model-b"]);
    expect(fake().requests[0]?.op).toBe("models");
  });
});
