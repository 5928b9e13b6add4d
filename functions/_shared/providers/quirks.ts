// Parameter quirks inferred from model ids, and the translations every adapter shares
// (system prompts, finish reasons). Explicit quirks from the model row always win.
import type { ChatMessage, ModelQuirks, ProviderType } from "./types.ts";

/** Anthropic needs max_tokens; this is used when the caller sets no limit. */
export const defaultAnthropicMaxTokens = 4096;

/** OpenAI reasoning models: o1, o3, o4-mini, gpt-5 (but not gpt-5-chat, which is a chat model). */
const reasoning = /^(o\d+(-|$)|gpt-5(?!-chat))/i;
/** The first o1 releases take neither system nor developer messages. */
const noSystem = /^o1-(mini|preview)/i;

export function resolveQuirks(type: ProviderType, model: string, given: ModelQuirks = {}): Required<ModelQuirks> {
  const id = model.slice(model.lastIndexOf("/") + 1);
  const openaiFamily = type === "openai" || type === "azure_openai";
  const isReasoning = openaiFamily && reasoning.test(id);
  const inferred: Required<ModelQuirks> = {
    noTemperature: isReasoning,
    // OpenAI deprecated max_tokens; Azure's older api-versions only know it, except for reasoning models.
    maxTokensParam: type === "openai" || isReasoning ? "max_completion_tokens" : "max_tokens",
    systemRole: isReasoning && noSystem.test(id) ? "none" : "system",
  };
  return { ...inferred, ...definedOnly(given) };
}

function definedOnly(q: ModelQuirks): ModelQuirks {
  return Object.fromEntries(Object.entries(q).filter(([, v]) => v !== undefined)) as ModelQuirks;
}

/** System messages joined (for APIs that take the system prompt separately), and the rest. */
export function splitSystem(messages: ChatMessage[]): { system: string | undefined; turns: ChatMessage[] } {
  const system = messages.filter((m) => m.role === "system").map((m) => m.content);
  return {
    system: system.length > 0 ? system.join("\n\n") : undefined,
    turns: messages.filter((m) => m.role !== "system"),
  };
}

/** For models without a system role: the system prompt goes in front of the first user turn. */
export function foldSystem(messages: ChatMessage[]): ChatMessage[] {
  const { system, turns } = splitSystem(messages);
  if (system === undefined) return turns;
  const first = turns.findIndex((m) => m.role === "user");
  if (first < 0) return [{ role: "user", content: system }, ...turns];
  return turns.map((m, i) => (i === first ? { role: "user", content: `${system}\n\n${m.content}` } : m));
}

const anthropicReasons: Record<string, string> = {
  end_turn: "stop",
  stop_sequence: "stop",
  pause_turn: "stop",
  max_tokens: "length",
  model_context_window_exceeded: "length",
  tool_use: "tool_calls",
  refusal: "content_filter",
};

const geminiReasons: Record<string, string> = {
  STOP: "stop",
  MAX_TOKENS: "length",
  SAFETY: "content_filter",
  RECITATION: "content_filter",
  BLOCKLIST: "content_filter",
  PROHIBITED_CONTENT: "content_filter",
  SPII: "content_filter",
  IMAGE_SAFETY: "content_filter",
};

/** A provider's finish reason in OpenAI's words (what the gateway answers with). */
export function finishReason(family: "openai" | "anthropic" | "google", raw: string | null | undefined): string | null {
  if (raw === null || raw === undefined || raw === "") return null;
  if (family === "anthropic") return anthropicReasons[raw] ?? raw;
  if (family === "google") return geminiReasons[raw] ?? raw.toLowerCase();
  return raw;
}
