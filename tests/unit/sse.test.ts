// The SSE writer: frames as the chat API sends them, heartbeat comments while a stream is
// quiet, and the client-gone signal when the reader cancels.
import { describe, expect, it } from "vitest";
import { SSE_HEADERS, sseResponse } from "../../functions/_shared/sse.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("sseResponse", () => {
  it("writes named events as whole frames, heartbeats while quiet, and closes when done", async () => {
    const { response, done } = sseResponse(async (send) => {
      send("delta", { text: "Hel" });
      await sleep(250); // ten heartbeat intervals of quiet
      send("done", { ok: true });
    }, { heartbeatMs: 25 });
    expect(Object.fromEntries(response.headers)).toMatchObject(SSE_HEADERS);
    const text = await response.text();
    await done;
    expect(text.startsWith('event: delta\ndata: {"text":"Hel"}\n\n')).toBe(true);
    expect(text.endsWith('event: done\ndata: {"ok":true}\n\n')).toBe(true);
    expect(text).toContain(": heartbeat\n\n");
  });

  it("fires clientGone when the reader cancels, and writes nothing after", async () => {
    let gone: AbortSignal | undefined;
    const { response, done } = sseResponse(async (send, clientGone) => {
      gone = clientGone;
      send("delta", { text: "a" });
      await new Promise<void>((resolve) => clientGone.addEventListener("abort", () => resolve(), { once: true }));
      send("delta", { text: "never seen" });
    });
    const reader = response.body!.getReader();
    await reader.read();
    await reader.cancel();
    await done;
    expect(gone?.aborted).toBe(true);
  });
});
