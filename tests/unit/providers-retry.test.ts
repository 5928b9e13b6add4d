// Retry policy, Retry-After parsing, failure mapping and quirk inference, without any server.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { AppError } from "../../functions/_shared/errors.ts";
import { retryAfterMs, toFailure, upstreamError } from "../../functions/_shared/providers/errors.ts";
import type { Failure } from "../../functions/_shared/providers/errors.ts";
import { finishReason, foldSystem, resolveQuirks } from "../../functions/_shared/providers/quirks.ts";
import { backoffMs, defaultRetryPolicy, withRetry } from "../../functions/_shared/providers/retry.ts";

const ctx = { provider: "openai" };
// Provider errors are logged by design; keep the test output readable.
beforeEach(() => {
  vi.spyOn(console, "error").mockImplementation(() => undefined);
  vi.spyOn(console, "log").mockImplementation(() => undefined);
});
afterEach(() => vi.restoreAllMocks());
const status = (code: number, headers: Record<string, string> = {}): Failure => ({
  kind: "status", status: code, headers: new Headers(headers), detail: `HTTP ${code}`, started: false,
});

function retrying(failures: Failure[], policy = { ...defaultRetryPolicy, baseDelayMs: 1 }, signal?: AbortSignal) {
  let calls = 0;
  const run = withRetry(
    async () => {
      const f = failures[calls++];
      if (f) throw f;
      return "ok";
    },
    { policy, signal, classify: (err) => err as Failure, context: ctx },
  );
  return { run, calls: () => calls };
}

describe("Retry-After", () => {
  it("reads retry-after-ms, seconds and HTTP dates", () => {
    const now = Date.parse("2026-01-01T00:00:00Z");
    expect(retryAfterMs(new Headers({ "retry-after-ms": "250", "retry-after": "9" }), now)).toBe(250);
    expect(retryAfterMs(new Headers({ "retry-after": "2" }), now)).toBe(2000);
    expect(retryAfterMs(new Headers({ "retry-after": "1.5" }), now)).toBe(1500);
    expect(retryAfterMs(new Headers({ "retry-after": "Thu, 01 Jan 2026 00:00:07 GMT" }), now)).toBe(7000);
    expect(retryAfterMs(new Headers({ "retry-after": "Wed, 31 Dec 2025 23:00:00 GMT" }), now)).toBe(0);
    expect(retryAfterMs(new Headers({ "retry-after": "soon" }), now)).toBeUndefined();
    expect(retryAfterMs(new Headers(), now)).toBeUndefined();
  });

  it("backs off exponentially with jitter, capped", () => {
    const policy = { attempts: 5, maxWaitMs: 3000, baseDelayMs: 500 };
    expect([1, 2, 3].map((n) => backoffMs(policy, n, () => 1))).toEqual([500, 1000, 2000]);
    expect([1, 2, 3].map((n) => backoffMs(policy, n, () => 0))).toEqual([250, 500, 1000]);
    expect(backoffMs(policy, 10, () => 1)).toBe(3000);
  });
});

describe("withRetry", () => {
  it("retries 408, 429, 5xx, 529 and connection errors, within the attempt bound", async () => {
    const connection: Failure = { kind: "connection", detail: "ECONNRESET", started: false };
    const a = retrying([status(529), connection]);
    expect(await a.run).toBe("ok");
    expect(a.calls()).toBe(3);

    const b = retrying([status(408), status(429), status(500)]);
    const err = await b.run.catch((e: unknown) => e);
    expect(err).toMatchObject({ status: 503, code: "provider_unavailable" });
    expect(b.calls()).toBe(3);
  });

  it("does not retry 4xx answers or anything after the first byte", async () => {
    for (const f of [status(400), status(401), status(404), { ...status(503), started: true }]) {
      const r = retrying([f]);
      await expect(r.run).rejects.toBeInstanceOf(AppError);
      expect(r.calls()).toBe(1);
    }
  });

  it("honours Retry-After, and refuses to wait past the cap", async () => {
    const started = Date.now();
    const a = retrying([status(429, { "retry-after-ms": "120" })]);
    expect(await a.run).toBe("ok");
    expect(Date.now() - started).toBeGreaterThanOrEqual(110);

    const b = retrying([status(503, { "retry-after": "21" })]);
    expect(await b.run.catch((e: unknown) => e)).toMatchObject({ status: 503, headers: { "retry-after": "21" } });
    expect(b.calls()).toBe(1);
  });

  it("stops waiting at once when the caller aborts", async () => {
    const controller = new AbortController();
    const r = retrying([status(429, { "retry-after": "10" })], defaultRetryPolicy, controller.signal);
    setTimeout(() => controller.abort(new Error("caller left")), 20);
    const started = Date.now();
    await expect(r.run).rejects.toThrow("caller left");
    expect(Date.now() - started).toBeLessThan(1000);
    expect(r.calls()).toBe(1);
  });
});

describe("failure mapping", () => {
  it("gives every upstream failure its one public answer", () => {
    const map = (f: Failure, phase: "request" | "body" | "stream" = "request"): [number, string] => {
      const e = upstreamError(f, phase, ctx);
      return [e.status, e.code];
    };
    expect(map(status(429))).toEqual([429, "provider_rate_limited"]);
    expect(upstreamError(status(429), "request", ctx).headers).toEqual({ "retry-after": "5" });
    expect(map(status(401))).toEqual([502, "provider_auth_failed"]);
    expect(map(status(403))).toEqual([502, "provider_auth_failed"]);
    expect(map(status(400))).toEqual([502, "provider_rejected_request"]);
    expect(map(status(404))).toEqual([502, "provider_rejected_request"]);
    expect(map(status(500))).toEqual([503, "provider_unavailable"]);
    expect(map(status(529))).toEqual([503, "provider_unavailable"]);
    expect(map(status(504))).toEqual([504, "provider_timeout"]);
    expect(map({ kind: "connection", detail: "", started: false })).toEqual([503, "provider_unavailable"]);
    expect(map({ kind: "timeout", detail: "", started: false })).toEqual([504, "provider_timeout"]);
    expect(map({ kind: "invalid", detail: "", started: true }, "body")).toEqual([502, "provider_bad_response"]);
    expect(map({ kind: "connection", detail: "terminated", started: true }, "stream")).toEqual([502, "provider_stream_interrupted"]);
  });

  it("classifies errors no SDK claims", () => {
    const answer = { status: 200, headers: new Headers() };
    expect(toFailure(new TypeError("terminated"), answer, () => undefined)).toMatchObject({ kind: "connection", started: true });
    expect(toFailure(new SyntaxError("Unexpected end"), {}, () => undefined)).toMatchObject({ kind: "invalid", started: false });
    expect(toFailure(new DOMException("t", "TimeoutError"), {}, () => undefined).kind).toBe("timeout");
    const headers = new Headers({ "retry-after": "3" });
    expect(toFailure(new Error("x"), { status: 429, headers }, () => ({ kind: "status", status: 429 })).headers).toBe(headers);
  });
});

describe("quirks", () => {
  it("infers reasoning-model quirks for OpenAI and Azure only", () => {
    expect(resolveQuirks("openai", "o3-mini")).toEqual({ noTemperature: true, maxTokensParam: "max_completion_tokens", systemRole: "system" });
    expect(resolveQuirks("openai", "gpt-5")).toMatchObject({ noTemperature: true });
    expect(resolveQuirks("openai", "gpt-5-chat-latest")).toMatchObject({ noTemperature: false });
    expect(resolveQuirks("openai", "gpt-4o")).toEqual({ noTemperature: false, maxTokensParam: "max_completion_tokens", systemRole: "system" });
    expect(resolveQuirks("openai", "o1-mini").systemRole).toBe("none");
    expect(resolveQuirks("azure_openai", "gpt-4o").maxTokensParam).toBe("max_tokens");
    expect(resolveQuirks("azure_openai", "o4-mini")).toMatchObject({ noTemperature: true, maxTokensParam: "max_completion_tokens" });
    expect(resolveQuirks("openai_compatible", "o3-mini")).toMatchObject({ noTemperature: false, maxTokensParam: "max_tokens" });
    expect(resolveQuirks("openai", "o3-mini", { noTemperature: false, systemRole: undefined })).toMatchObject({ noTemperature: false, systemRole: "system" });
  });

  it("folds system prompts and speaks OpenAI's finish reasons", () => {
    expect(foldSystem([{ role: "system", content: "s" }, { role: "assistant", content: "a" }])).toEqual([
      { role: "user", content: "s" },
      { role: "assistant", content: "a" },
    ]);
    expect(finishReason("anthropic", "end_turn")).toBe("stop");
    expect(finishReason("anthropic", "tool_use")).toBe("tool_calls");
    expect(finishReason("google", "SAFETY")).toBe("content_filter");
    expect(finishReason("google", "MALFORMED_FUNCTION_CALL")).toBe("malformed_function_call");
    expect(finishReason("openai", null)).toBeNull();
  });
});
