// One response on the wire: writes that notice a vanished client, interruptible sleeps,
// deliberate cuts, and the SSE streaming loop with its faults.
import type { ServerResponse } from "node:http";
import type { ErrorSpec, StreamFrames } from "./protocol.ts";
import type { Fault } from "./types.ts";

export class Conn {
  /** The response's socket is gone (client abort, our cut, or server close). */
  closed = false;
  /** The fake itself destroyed the socket (a cut is not a client abort). */
  cutByFake = false;
  /** Text-delta frames written so far. */
  chunksSent = 0;
  private readonly waiters = new Set<() => void>();

  constructor(readonly res: ServerResponse) {
    res.on("close", () => {
      this.closed = true;
      for (const wake of this.waiters) wake();
      this.waiters.clear();
    });
  }

  /** Sleep, waking early if the connection closes. */
  sleep(ms: number): Promise<void> {
    if (ms <= 0 || this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.waiters.add(done);
    });
  }

  /** Resolves when the connection closes (for hanging requests). */
  untilClosed(): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve) => this.waiters.add(resolve));
  }

  /** Write and wait until flushed; false if the connection is gone. */
  write(data: string): Promise<boolean> {
    if (this.closed || this.res.destroyed) return Promise.resolve(false);
    return new Promise((resolve) => {
      const done = (): void => {
        this.waiters.delete(done);
        resolve(!this.closed);
      };
      this.waiters.add(done);
      this.res.write(data, () => done());
    });
  }

  /** Kill the socket mid-response, on purpose. */
  cut(): void {
    this.cutByFake = true;
    this.res.socket?.destroy();
    this.res.destroy();
  }

  /** A complete JSON response. */
  json(status: number, body: unknown, headers: Record<string, string> = {}): void {
    if (this.closed) return;
    const text = JSON.stringify(body);
    this.res.writeHead(status, {
      "content-type": "application/json",
      "content-length": Buffer.byteLength(text).toString(),
      ...headers,
    });
    this.res.end(text);
  }

  /**
   * A 200 JSON response that breaks: `cut` sends half the body then destroys the socket;
   * otherwise the (truncated, unparseable) half body is sent as if complete.
   */
  async brokenJson(body: unknown, headers: Record<string, string>, cut: boolean): Promise<void> {
    if (this.closed) return;
    const text = JSON.stringify(body);
    const half = text.slice(0, Math.max(1, Math.floor(text.length / 2)));
    this.res.writeHead(200, {
      "content-type": "application/json",
      "content-length": Buffer.byteLength(cut ? text : half).toString(),
      ...headers,
    });
    if (cut) {
      if (await this.write(half)) this.cut();
    } else {
      this.res.end(half);
    }
  }
}

export interface StreamHooks {
  malformedFrame(): string;
  errorFrame(error: ErrorSpec): string;
}

/** Stream SSE frames, applying the fault's trickle / cut / malformed frame / stream error. */
export async function streamSse(
  conn: Conn,
  frames: StreamFrames,
  fault: Fault | undefined,
  hooks: StreamHooks,
  headers: Record<string, string>,
): Promise<void> {
  if (conn.closed) return;
  conn.res.writeHead(200, {
    "content-type": "text/event-stream; charset=utf-8",
    "cache-control": "no-cache",
    connection: "keep-alive",
    ...headers,
  });
  conn.res.flushHeaders();
  for (const frame of frames.preamble) if (!(await conn.write(frame))) return;

  const delay = fault?.chunkDelayMs ?? 0;
  const n = frames.deltas.length;
  // Thresholds past the last delta fire right after it (before the epilogue).
  const at = (k: number | undefined): number | undefined => (k === undefined ? undefined : Math.min(k, n));
  const cutAt = at(fault?.cutAfterChunks);
  const malformedAt = at(fault?.malformedAfterChunks);
  const se = fault?.streamError;
  const errorAt = at(se?.afterChunks);

  // Checked before delta i (i = number of deltas already sent), and once after the last.
  const interrupt = async (sent: number): Promise<boolean> => {
    if (cutAt === sent) {
      conn.cut();
      return true;
    }
    if (malformedAt === sent) {
      await conn.write(hooks.malformedFrame());
      conn.res.end();
      return true;
    }
    if (se && errorAt === sent) {
      const spec: ErrorSpec = { status: se.status ?? 500 };
      if (se.errorType !== undefined) spec.type = se.errorType;
      if (se.message !== undefined) spec.message = se.message;
      await conn.write(hooks.errorFrame(spec));
      conn.res.end();
      return true;
    }
    return false;
  };

  for (const [i, frame] of frames.deltas.entries()) {
    if (await interrupt(i)) return;
    await conn.sleep(delay);
    if (!(await conn.write(frame))) return;
    conn.chunksSent++;
  }
  if (await interrupt(n)) return;
  for (const frame of frames.epilogue) {
    await conn.sleep(delay);
    if (!(await conn.write(frame))) return;
  }
  conn.res.end();
}
