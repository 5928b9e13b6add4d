// Server-sent events like hono's streamSSE, plus what chat needs: a heartbeat comment every
// 15 s (Supabase ends a response after 150 s of silence), headers that stop proxy buffering,
// and a signal that fires the moment the client goes away.
export type Send = (event: string, data: unknown) => void;

export const SSE_HEADERS = {
  "content-type": "text/event-stream; charset=utf-8",
  "cache-control": "no-cache, no-transform",
  "x-accel-buffering": "no",
} as const;

export function sseResponse(
  produce: (send: Send, clientGone: AbortSignal) => Promise<void>,
  opts: { heartbeatMs?: number; headers?: Record<string, string>; clientSignal?: AbortSignal } = {},
): { response: Response; done: Promise<void> } {
  const gone = new AbortController();
  const te = new TextEncoder();
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  let closed = false;
  const write = (chunk: string) => {
    if (closed || gone.signal.aborted) return;
    try {
      controller.enqueue(te.encode(chunk));
    } catch {
      gone.abort(new DOMException("client disconnected", "AbortError"));
    }
  };
  const body = new ReadableStream<Uint8Array>({
    start(c) {
      controller = c;
    },
    cancel() {
      gone.abort(new DOMException("client disconnected", "AbortError"));
    },
  });
  opts.clientSignal?.addEventListener("abort", () => gone.abort(new DOMException("client disconnected", "AbortError")), { once: true });
  const heartbeat = setInterval(() => write(": heartbeat\n\n"), opts.heartbeatMs ?? 15_000);
  const send: Send = (event, data) => write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  const done = (async () => {
    try {
      await produce(send, gone.signal);
    } finally {
      clearInterval(heartbeat);
      if (!closed) {
        closed = true;
        try {
          controller.close();
        } catch {
          // already cancelled by the client
        }
      }
    }
  })();
  return { response: new Response(body, { headers: { ...SSE_HEADERS, ...opts.headers } }), done };
}
