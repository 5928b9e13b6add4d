// The machinery every SDK driver shares: retries before the first byte, abort linking, the
// tapped fetch that sees each attempt's status and headers, and error mapping mid-stream.
import { callerAbort, toFailure, upstreamError } from "./errors.ts";
import type { Answer, ErrorContext, Failure, SdkFailure } from "./errors.ts";
import { withRetry } from "./retry.ts";
import type { RetryPolicy } from "./retry.ts";
import type { ChatRequest, Completion, Fetch, ProviderAdapter, ProviderConnection, ProviderType, StreamEvent, Usage } from "./types.ts";

/** One normalised step of an upstream stream; drivers translate SDK chunks into these. */
export interface Piece {
  text?: string;
  usage?: Partial<Usage>;
  /** Present (possibly null) once the upstream said why it stopped. */
  finishReason?: string | null;
}

/** What each SDK supplies; it builds its client with the given fetch, once per attempt. */
export interface Driver {
  readonly type: ProviderType;
  /** Start a streaming request; resolves once the upstream answered 2xx. */
  open(req: ChatRequest, signal: AbortSignal, fetch: Fetch): Promise<AsyncIterable<Piece>>;
  once(req: ChatRequest, signal: AbortSignal, fetch: Fetch): Promise<Completion>;
  models(signal: AbortSignal, fetch: Fetch): Promise<string[]>;
  /** Recognise the SDK's own error classes; undefined falls back to generic rules. */
  classify(err: unknown): SdkFailure | undefined;
}

/** The Stainless-generated SDKs (openai, @anthropic-ai/sdk) share these error classes. */
interface StainlessErrors {
  APIError: abstract new (...args: never[]) => { status: number | undefined; headers: Headers | undefined };
  APIUserAbortError: abstract new (...args: never[]) => object;
  APIConnectionError: abstract new (...args: never[]) => object;
  APIConnectionTimeoutError: abstract new (...args: never[]) => object;
}

export function stainlessClassifier(E: StainlessErrors): (err: unknown) => SdkFailure | undefined {
  return (err) => {
    if (err instanceof E.APIUserAbortError) return { kind: "aborted" };
    if (err instanceof E.APIConnectionTimeoutError) return { kind: "timeout" };
    if (err instanceof E.APIConnectionError) return { kind: "connection" };
    if (err instanceof E.APIError) {
      // No status: an error event inside a running stream.
      if (err.status === undefined) return { kind: "invalid" };
      return err.headers ? { kind: "status", status: err.status, headers: err.headers } : { kind: "status", status: err.status };
    }
    return undefined;
  };
}

/** Records the latest answer's status and headers (the SDKs differ in what their errors keep). */
function tap(base: Fetch, answer: Answer): Fetch {
  return async (input, init) => {
    const res = await base(input, init);
    answer.status = res.status;
    answer.headers = res.headers;
    return res;
  };
}

/** An internal signal that follows the caller's and is always aborted when the call ends. */
function link(signal: AbortSignal | undefined): { signal: AbortSignal; release(): void } {
  const controller = new AbortController();
  const follow = (): void => controller.abort(signal?.reason);
  if (signal?.aborted) follow();
  else signal?.addEventListener("abort", follow, { once: true });
  return {
    signal: controller.signal,
    release() {
      signal?.removeEventListener("abort", follow);
      controller.abort();
    },
  };
}

function addUsage(usage: Usage, more: Partial<Usage> | undefined): void {
  if (more?.inputTokens !== undefined) usage.inputTokens = more.inputTokens;
  if (more?.outputTokens !== undefined) usage.outputTokens = more.outputTokens;
}

export function makeAdapter(driver: Driver, conn: ProviderConnection, policy: RetryPolicy): ProviderAdapter {
  const base: Fetch = conn.fetch ?? ((input, init) => fetch(input, init));

  /** Run one upstream call with retries; `answer` always describes the current attempt. */
  async function attempt<T>(
    run: (signal: AbortSignal, fetch: Fetch) => Promise<T>,
    signal: AbortSignal,
    caller: AbortSignal | undefined,
    context: ErrorContext,
  ): Promise<{ value: T; classify: (err: unknown) => Failure }> {
    let answer: Answer = {};
    const classify = (err: unknown): Failure => toFailure(err, answer, (e) => driver.classify(e));
    const value = await withRetry(
      () => {
        answer = {};
        return run(signal, tap(base, answer));
      },
      { policy, signal: caller, classify, context },
    );
    return { value, classify };
  }

  async function* stream(req: ChatRequest): AsyncGenerator<StreamEvent> {
    const context: ErrorContext = { provider: driver.type, model: req.model, requestId: req.requestId };
    const call = link(req.signal);
    try {
      const { value: pieces, classify } = await attempt((s, f) => driver.open(req, s, f), call.signal, req.signal, context);
      const usage: Usage = { inputTokens: 0, outputTokens: 0 };
      let finish: string | null | undefined;
      try {
        for await (const piece of pieces) {
          if (piece.text) yield { type: "delta", text: piece.text };
          addUsage(usage, piece.usage);
          if (piece.finishReason !== undefined) finish = piece.finishReason;
        }
      } catch (err) {
        if (req.signal?.aborted) throw callerAbort(req.signal, context);
        throw upstreamError(classify(err), "stream", context);
      }
      // The Stainless SDKs end their iterators quietly on abort.
      if (req.signal?.aborted) throw callerAbort(req.signal, context);
      if (finish === undefined) {
        throw upstreamError({ kind: "invalid", detail: "stream ended without a finish reason", started: true }, "stream", context);
      }
      yield { type: "done", usage, finishReason: finish };
    } finally {
      call.release();
    }
  }

  return {
    type: driver.type,
    stream,
    async complete(req) {
      const context: ErrorContext = { provider: driver.type, model: req.model, requestId: req.requestId };
      const call = link(req.signal);
      try {
        return (await attempt((s, f) => driver.once(req, s, f), call.signal, req.signal, context)).value;
      } finally {
        call.release();
      }
    },
    async listModels(signal) {
      const call = link(signal);
      try {
        return (await attempt((s, f) => driver.models(s, f), call.signal, signal, { provider: driver.type })).value;
      } finally {
        call.release();
      }
    },
  };
}
