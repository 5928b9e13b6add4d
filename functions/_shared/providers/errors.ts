// Upstream failures, normalised across SDKs, and their one mapping to AppError.
// The provider's own words are logged (redacted by log()) and never put in the public message.
import { AppError } from "../errors.ts";
import { log } from "../log.ts";

export type FailureKind = "status" | "connection" | "timeout" | "aborted" | "invalid";

/** What an SDK-specific classifier recognises in one of its errors. */
export interface SdkFailure {
  kind: FailureKind;
  status?: number;
  headers?: Headers;
}

export interface Failure extends SdkFailure {
  /** The upstream's text (error body, parser message): for the log only. */
  detail: string;
  /** The upstream had already answered 2xx: the attempt is past its first byte and never retried. */
  started: boolean;
}

/** Where the failure happened: before an answer, in a non-streamed body, or in a running stream. */
export type Phase = "request" | "body" | "stream";

/** What the tapped fetch saw of the latest attempt. */
export interface Answer {
  status?: number;
  headers?: Headers;
}

/** Classification that needs no SDK: DOMException names, fetch's TypeError, JSON's SyntaxError. */
function generic(err: unknown): SdkFailure {
  const name = err instanceof Error || err instanceof DOMException ? err.name : "";
  if (name === "TimeoutError") return { kind: "timeout" };
  if (name === "AbortError") return { kind: "aborted" };
  if (err instanceof TypeError) return { kind: "connection" }; // "fetch failed", "terminated"
  return { kind: "invalid" };
}

export function toFailure(err: unknown, answer: Answer, sdk: (err: unknown) => SdkFailure | undefined): Failure {
  const own = sdk(err) ?? generic(err);
  const started = answer.status !== undefined && answer.status >= 200 && answer.status < 300;
  const headers = own.headers ?? (own.status !== undefined && own.status === answer.status ? answer.headers : undefined);
  const failure: Failure = { ...own, detail: detailOf(err), started };
  if (headers) failure.headers = headers;
  return failure;
}

function detailOf(err: unknown): string {
  const text = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  const cause = err instanceof Error && err.cause instanceof Error ? ` (cause: ${err.cause.message})` : "";
  return (text + cause).slice(0, 2000);
}

/** Milliseconds the upstream asked us to wait (`retry-after-ms`, then `Retry-After` seconds or date). */
export function retryAfterMs(headers: Headers | undefined, now = Date.now()): number | undefined {
  if (!headers) return undefined;
  const ms = Number.parseFloat(headers.get("retry-after-ms") ?? "");
  if (Number.isFinite(ms) && ms >= 0) return ms;
  const value = headers.get("retry-after")?.trim();
  if (!value) return undefined;
  if (/^\d+(\.\d+)?$/.test(value)) return Number.parseFloat(value) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** Statuses worth another attempt before the first byte. */
export function isRetryable(f: Failure): boolean {
  if (f.started) return false;
  if (f.kind === "connection") return true;
  if (f.kind !== "status" || f.status === undefined) return false;
  return f.status === 408 || f.status === 429 || f.status >= 500;
}

const messages = {
  rate: "The model provider is rate limiting requests; try again shortly.",
  auth: "The model provider refused the configured credentials; an admin should check the provider key.",
  rejected: "The model provider rejected the request.",
  unavailable: "The model provider is unavailable; try again shortly.",
  timeout: "The model provider did not answer in time.",
  interrupted: "The model provider's answer was interrupted.",
  unreadable: "The model provider sent an answer that could not be read.",
};

/** The public `retry-after` (whole seconds) for a 429/503, from the upstream's header or a default. */
function retryHeader(f: Failure, fallbackSeconds: number): Record<string, string> {
  const ms = retryAfterMs(f.headers);
  return { "retry-after": String(ms === undefined ? fallbackSeconds : Math.max(1, Math.ceil(ms / 1000))) };
}

function publicError(f: Failure, phase: Phase): AppError {
  if (f.kind === "timeout" || f.kind === "aborted") {
    return new AppError("upstream_timeout", messages.timeout, { code: "provider_timeout" });
  }
  if (phase === "stream") {
    return new AppError("upstream_error", messages.interrupted, { code: "provider_stream_interrupted" });
  }
  if (phase === "body" || f.kind === "invalid") {
    return new AppError("upstream_error", messages.unreadable, { code: "provider_bad_response" });
  }
  if (f.kind === "connection") {
    return new AppError("upstream_unavailable", messages.unavailable, { code: "provider_unavailable", headers: retryHeader(f, 5) });
  }
  const status = f.status ?? 502;
  if (status === 429) {
    return new AppError("rate_limited", messages.rate, { code: "provider_rate_limited", headers: retryHeader(f, 5) });
  }
  if (status === 401 || status === 403) {
    return new AppError("upstream_error", messages.auth, { code: "provider_auth_failed" });
  }
  if (status === 408 || status === 504) {
    return new AppError("upstream_timeout", messages.timeout, { code: "provider_timeout" });
  }
  if (status >= 500) {
    return new AppError("upstream_unavailable", messages.unavailable, { code: "provider_unavailable", headers: retryHeader(f, 5) });
  }
  return new AppError("upstream_error", messages.rejected, { code: "provider_rejected_request" });
}

/**
 * What to throw once the caller's signal fired: a deadline (`AbortSignal.timeout`) is an upstream
 * timeout (504); any other abort rethrows the caller's own reason, as fetch does.
 */
export function callerAbort(signal: AbortSignal, ctx: ErrorContext): unknown {
  const reason: unknown = signal.reason;
  if (reason instanceof DOMException && reason.name === "TimeoutError") {
    return upstreamError({ kind: "timeout", detail: "caller deadline passed", started: false }, "request", ctx);
  }
  return reason;
}

export interface ErrorContext {
  provider: string;
  model?: string;
  requestId?: string;
}

/** Log the upstream's failure (redacted) and answer with the one error shape. */
export function upstreamError(f: Failure, phase: Phase, ctx: ErrorContext): AppError {
  const error = publicError(f, phase);
  log(error.status >= 500 ? "warn" : "info", "provider_error", {
    requestId: ctx.requestId,
    provider: ctx.provider,
    model: ctx.model,
    phase,
    kind: f.kind,
    upstreamStatus: f.status,
    code: error.code,
    detail: f.detail,
  });
  return error;
}
