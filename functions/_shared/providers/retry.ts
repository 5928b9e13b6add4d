// Our retries (the SDKs' own are off): only before the first byte, only for 408/429/5xx/529 and
// connection errors, honouring Retry-After, bounded, abortable. A started answer is never repeated.
import type { AppError } from "../errors.ts";
import { callerAbort, isRetryable, retryAfterMs, upstreamError } from "./errors.ts";
import type { ErrorContext, Failure } from "./errors.ts";

export interface RetryPolicy {
  /** Total attempts, the first included. */
  attempts: number;
  /** Longest single wait; a Retry-After beyond it fails at once, carrying that Retry-After. */
  maxWaitMs: number;
  /** First backoff when the upstream gives no Retry-After; doubles per attempt, with jitter. */
  baseDelayMs: number;
}

export const defaultRetryPolicy: RetryPolicy = { attempts: 3, maxWaitMs: 20_000, baseDelayMs: 500 };

/** Exponential backoff with jitter in [½, 1] of the step, capped at maxWaitMs. */
export function backoffMs(policy: RetryPolicy, retry: number, random: () => number = Math.random): number {
  const step = Math.min(policy.maxWaitMs, policy.baseDelayMs * 2 ** (retry - 1));
  return Math.round(step * (0.5 + random() / 2));
}

/** Resolve after `ms`, or reject with the signal's reason when it aborts first. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

export interface RetryOptions {
  policy: RetryPolicy;
  signal?: AbortSignal;
  /** Normalise whatever one attempt threw. */
  classify(err: unknown): Failure;
  context: ErrorContext;
}

/**
 * Run `attempt` until it succeeds or fails for good. Throws what callerAbort() says when the
 * caller aborted, else the mapped AppError ("body" phase once the upstream had answered 2xx).
 */
export async function withRetry<T>(attempt: () => Promise<T>, opts: RetryOptions): Promise<T> {
  for (let n = 1; ; n++) {
    let wait: number | undefined;
    try {
      return await attempt();
    } catch (err) {
      if (opts.signal?.aborted) throw callerAbort(opts.signal, opts.context);
      const failure = opts.classify(err);
      wait = nextWait(failure, n, opts.policy);
      if (wait === undefined) throw giveUp(failure, opts.context);
    }
    await sleep(wait, opts.signal).catch(() => {
      throw opts.signal ? callerAbort(opts.signal, opts.context) : new Error("retry wait failed");
    });
  }
}

/** Milliseconds before attempt n+1, or undefined to stop. */
function nextWait(f: Failure, n: number, policy: RetryPolicy): number | undefined {
  if (!isRetryable(f) || n >= policy.attempts) return undefined;
  const asked = retryAfterMs(f.headers);
  if (asked !== undefined) return asked > policy.maxWaitMs ? undefined : asked;
  return backoffMs(policy, n);
}

function giveUp(f: Failure, ctx: ErrorContext): AppError {
  return upstreamError(f, f.started ? "body" : "request", ctx);
}
