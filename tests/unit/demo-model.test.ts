// The offline demo model: labelled answers, short titles, streaming through the adapter layer.
import { describe, expect, it } from "vitest";
import { createAdapter, type StreamEvent } from "../../functions/_shared/providers/index.ts";
import { demoReply } from "../../functions/_shared/providers/demo.ts";

describe("demo model", () => {
  it("labels every answer and quotes the question", () => {
    expect(demoReply([{ role: "user", content: "Hi there" }])).toMatch(/^\[Offline demo model\] You said: "Hi there"\./);
  });

  it("answers a title request with the first words of the question only", () => {
    const reply = demoReply([
      { role: "system", content: "Write a title for this conversation in at most six words." },
      { role: "user", content: "Plan a trip to Lisbon in May, please!\n\n[Offline demo model] You said…" },
    ]);
    expect(reply).toBe("Plan a trip to Lisbon in");
  });

  it("streams word by word with usage, and stops when aborted", async () => {
    const adapter = createAdapter({ type: "demo" });
    const events: StreamEvent[] = [];
    for await (const e of adapter.stream({ model: "atrium-demo", messages: [{ role: "user", content: "one two" }] })) events.push(e);
    const text = events.flatMap((e) => (e.type === "delta" ? [e.text] : [])).join("");
    expect(text).toBe(demoReply([{ role: "user", content: "one two" }]));
    expect(events.at(-1)).toEqual({ type: "done", usage: { inputTokens: 2, outputTokens: text.split(/\s+/).filter(Boolean).length }, finishReason: "stop" });

    const abort = new AbortController();
    const seen: string[] = [];
    await expect(async () => {
      for await (const e of adapter.stream({ model: "atrium-demo", messages: [{ role: "user", content: "x" }], signal: abort.signal })) {
        if (e.type === "delta") seen.push(e.text);
        if (seen.length === 2) abort.abort(new Error("stop"));
      }
    }).rejects.toThrow();
    expect(seen).toHaveLength(2);
  });
});
