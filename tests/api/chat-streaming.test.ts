// Streaming answers over SSE against the OpenAI wire-protocol fake: whole frames, a client that
// leaves mid-answer, an upstream cut, a failure before any text, and 50 concurrent streams.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFake, type Fake } from "../fakes/index.ts";
import { chatOrg, type ChatOrg, eventually, newConversation, parseFrames, streamMessage } from "../support/chat.ts";
import { api, apiUrl, rootSql } from "../support/stack.ts";

let fake: Fake;
let org: ChatOrg;

beforeAll(async () => {
  fake = await startFake("openai");
  org = await chatOrg(fake);
});

afterAll(async () => {
  await fake?.close();
});

async function messages(conversationId: string) {
  return rootSql()<{ role: string; content: string; status: string; error_code: string | null; output_tokens: number }[]>`
    select role, content, status, error_code, output_tokens from public.messages where conversation_id = ${conversationId} order by seq`;
}

async function usageRows(conversationId: string) {
  return rootSql()<{ source: string; status: string; output_tokens: number }[]>`
    select source, status, output_tokens from public.usage_events where conversation_id = ${conversationId} and source = 'chat'`;
}

describe("streamed answers", () => {
  it("send delta frames, then one done frame with the stored message and usage, with anti-buffering headers", async () => {
    const id = await newConversation(org.owner);
    const res = await streamMessage(org.owner, id, { content: "stream me please" });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/event-stream; charset=utf-8");
    expect(res.headers.get("cache-control")).toBe("no-cache, no-transform");
    expect(res.headers.get("x-accel-buffering")).toBe("no");

    const frames = parseFrames(res.text);
    const deltas = frames.filter((f) => f.event === "delta");
    expect(deltas.map((f) => f.raw)).toEqual(
      ["Echo: ", "stream ", "me ", "please"].map((t) => `event: delta\ndata: ${JSON.stringify({ text: t })}\n\n`),
    );
    const [stored] = await api<{ messages: Array<Record<string, unknown>> }>(`/chat/conversations/${id}`, { token: org.owner.token })
      .then((r) => r.body.messages.filter((m) => m.role === "assistant"));
    // 3 prompt words and 4 answer words (the fake's token counts) at gpt-4.1-mini's catalog prices.
    const cost = Number(((3 * 0.4 + 4 * 1.6) / 1e6).toFixed(8));
    const done = { message: stored, usage: { input_tokens: 3, output_tokens: 4, cost } };
    expect(frames.at(-1)!.raw).toBe(`event: done\ndata: ${JSON.stringify(done)}\n\n`);
    expect(frames.map((f) => f.event)).toEqual(["delta", "delta", "delta", "delta", "done"]);
  });

  it("a client that disconnects aborts the upstream call; the partial answer is kept once, with one usage row", async () => {
    const id = await newConversation(org.owner);
    fake.enqueue({ chunkDelayMs: 150, reply: "one two three four five six seven eight nine ten eleven twelve" });
    const client = new AbortController();
    const res = await fetch(`${apiUrl}/chat/conversations/${id}/messages`, {
      method: "POST",
      headers: { authorization: `Bearer ${org.owner.token}`, "content-type": "application/json" },
      body: JSON.stringify({ content: "long answer please", stream: true }),
      signal: client.signal,
    });
    const reader = res.body!.getReader();
    const first = new TextDecoder().decode((await reader.read()).value);
    expect(first).toContain("event: delta");
    const seen = fake.aborts.length;
    const cutAt = Date.now();
    client.abort();
    const abort = await fake.waitForAbort(1000, seen);
    expect(abort.time - cutAt).toBeLessThan(1000);

    const stored = await eventually(() => messages(id), (m) => m.length === 2);
    expect(stored[1]).toMatchObject({ role: "assistant", status: "interrupted", error_code: "client_disconnected" });
    expect(stored[1]!.content.length).toBeGreaterThan(0);
    expect("one two three four five six seven eight nine ten eleven twelve".startsWith(stored[1]!.content)).toBe(true);
    await new Promise((r) => setTimeout(r, 300));
    expect(await messages(id)).toHaveLength(2);
    expect(await usageRows(id)).toEqual([expect.objectContaining({ status: "interrupted" })]);
  });

  it("an upstream cut after some text ends with an error frame and an interrupted message", async () => {
    const id = await newConversation(org.owner);
    fake.enqueue({ cutAfterChunks: 2 });
    const frames = parseFrames((await streamMessage(org.owner, id, { content: "cut me off now" })).text);
    expect(frames.map((f) => f.event)).toEqual(["delta", "delta", "error"]);
    expect(frames.at(-1)!.data).toMatchObject({ error: { code: "provider_stream_interrupted", type: "upstream_error" } });
    const stored = await messages(id);
    expect(stored[1]).toMatchObject({ status: "interrupted", content: "Echo: cut ", error_code: "provider_stream_interrupted" });
    expect(await usageRows(id)).toEqual([expect.objectContaining({ status: "interrupted" })]);
  });

  it("a failure before any text ends with an error frame and a failed, empty message", async () => {
    const id = await newConversation(org.owner);
    fake.enqueue({ status: 400, message: "upstream detail that must not leak" });
    const res = await streamMessage(org.owner, id, { content: "refuse me" });
    const frames = parseFrames(res.text);
    expect(frames.map((f) => f.event)).toEqual(["error"]);
    expect(frames[0]!.data).toMatchObject({ error: { code: "provider_rejected_request" } });
    expect(res.text).not.toContain("must not leak");
    const stored = await messages(id);
    expect(stored[1]).toMatchObject({ role: "assistant", status: "failed", content: "" });
    expect(await usageRows(id)).toEqual([expect.objectContaining({ status: "failed", output_tokens: 0 })]);
  });

  it("50 concurrent streams over five conversations lose no message", async () => {
    const conversations = await Promise.all(Array.from({ length: 5 }, () => newConversation(org.owner)));
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) => streamMessage(org.owner, conversations[i % 5]!, { content: `question number ${i}` })),
    );
    expect(results.every((r) => r.status === 200 && parseFrames(r.text).at(-1)?.event === "done")).toBe(true);
    for (const [n, id] of conversations.entries()) {
      const stored = await messages(id);
      expect(stored.filter((m) => m.role === "user")).toHaveLength(10);
      expect(stored.filter((m) => m.role === "assistant" && m.status === "complete")).toHaveLength(10);
      const asked = stored.filter((m) => m.role === "user").map((m) => Number(m.content.split(" ").at(-1)));
      expect(asked.sort((a, b) => a - b)).toEqual(Array.from({ length: 10 }, (_, k) => n + 5 * k));
      expect(await usageRows(id)).toHaveLength(10);
    }
  });
});
