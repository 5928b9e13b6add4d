// What the model sees: the assistant's system prompt first, then the newest messages that fit
// both max_history and the model's context window (minus room for the answer).
import { AppError } from "../_shared/errors.ts";
import type { ChatMessage } from "../_shared/providers/index.ts";

/** A cheap, conservative token estimate (about four characters a token, plus framing). */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4) + 4;
}

export function historyWindow(
  history: ChatMessage[],
  opts: { systemPrompt?: string | null; maxHistory: number; contextWindow: number; maxOutputTokens: number },
): ChatMessage[] {
  const system: ChatMessage[] = opts.systemPrompt ? [{ role: "system", content: opts.systemPrompt }] : [];
  let budget = opts.contextWindow - Math.min(opts.maxOutputTokens, Math.floor(opts.contextWindow / 2)) -
    system.reduce((n, m) => n + estimateTokens(m.content), 0);
  const kept: ChatMessage[] = [];
  for (let i = history.length - 1; i >= 0 && kept.length < opts.maxHistory; i--) {
    const m = history[i]!;
    const cost = estimateTokens(m.content);
    if (cost > budget) break;
    budget -= cost;
    kept.unshift(m);
  }
  if (kept.length === 0 || kept.at(-1) !== history.at(-1)) {
    throw new AppError("validation_failed", "The message is too long for this model's context window.", {
      code: "context_length_exceeded",
      field: "content",
    });
  }
  return [...system, ...kept];
}
