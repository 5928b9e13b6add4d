// The offline demo model of the local stack: answers without any network, clearly labelled,
// streaming word by word, so a newcomer can try chat, streaming, usage and admin at once.
// It goes through the same adapter machinery as every real provider.
import type { Driver, Piece } from "./adapter.ts";
import type { ChatMessage, ChatRequest, Completion } from "./types.ts";

export const DEMO_MODEL = "atrium-demo";
const WORD_DELAY_MS = 12;

const words = (s: string) => s.split(/\s+/).filter(Boolean).length;

/** Deterministic reply: titles for title prompts, otherwise a labelled echo. */
export function demoReply(messages: ChatMessage[]): string {
  const last = [...messages].reverse().find((m) => m.role === "user")?.content.trim() ?? "";
  const system = messages.find((m) => m.role === "system")?.content ?? "";
  if (/\btitle\b/i.test(system) && /conversation/i.test(system)) {
    const question = last.split("\n")[0] ?? "";
    return question.replace(/[^\p{L}\p{N} '-]/gu, "").split(/\s+/).filter(Boolean).slice(0, 6).join(" ").slice(0, 60) || "Demo conversation";
  }
  const quoted = last.length > 280 ? `${last.slice(0, 280)}…` : last;
  return (
    `[Offline demo model] You said: "${quoted}". This answer comes from Atrium's built-in demo, ` +
    "not from a real language model. Add a provider and its API key under Admin → Providers to chat with one."
  );
}

function usageOf(req: ChatRequest, reply: string) {
  return { inputTokens: req.messages.reduce((n, m) => n + words(m.content), 0), outputTokens: words(reply) };
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const timer = setTimeout(resolve, ms);
    signal.addEventListener("abort", () => {
      clearTimeout(timer);
      reject(signal.reason);
    }, { once: true });
  });
}

export const demoDriver: Driver = {
  type: "demo",
  open(req, signal) {
    const reply = demoReply(req.messages);
    const limit = req.maxOutputTokens ?? Infinity;
    async function* pieces(): AsyncIterable<Piece> {
      const parts = reply.split(/(?<=\s)/);
      let sent = 0;
      for (const part of parts) {
        if (sent >= limit) break;
        await sleep(WORD_DELAY_MS, signal);
        sent++;
        yield { text: part };
      }
      const text = parts.slice(0, sent).join("");
      yield { usage: usageOf(req, text), finishReason: sent < parts.length ? "length" : "stop" };
    }
    return Promise.resolve(pieces());
  },
  once(req): Promise<Completion> {
    const text = demoReply(req.messages);
    return Promise.resolve({ text, usage: usageOf(req, text), finishReason: "stop" });
  },
  models: () => Promise.resolve([DEMO_MODEL]),
  classify: () => undefined,
};
