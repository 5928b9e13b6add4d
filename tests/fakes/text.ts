// Deterministic text and token helpers, plus narrow readers for untyped JSON bodies.

/** Number of whitespace-separated words: the fakes' token count. */
export function countWords(text: string): number {
  return text.split(/\s+/).filter((w) => w.length > 0).length;
}

/**
 * Split text into one piece per word, keeping all whitespace, so that the pieces concatenate
 * back to the exact text: "Echo: hi  there" -> ["Echo: ", "hi  ", "there"].
 */
export function splitChunks(text: string): string[] {
  const pieces = text.match(/\s*\S+\s*/g);
  if (!pieces) return text.length > 0 ? [text] : [];
  // Leading whitespace of the whole text belongs to the first piece already.
  return pieces;
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

export function field(v: unknown, key: string): unknown {
  return isRecord(v) ? v[key] : undefined;
}

export function str(v: unknown): string | undefined {
  return typeof v === "string" ? v : undefined;
}

export function list(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

/**
 * Text of a message `content` in the OpenAI/Anthropic style: a string, or an array of parts
 * where text parts look like `{ type: "text", text }`.
 */
export function contentText(content: unknown): string {
  if (typeof content === "string") return content;
  return list(content)
    .map((part) => (typeof part === "string" ? part : (str(field(part, "text")) ?? "")))
    .filter((t) => t.length > 0)
    .join(" ");
}

/** Per-kind response id: "chatcmpl-fake-3", "msg_fake_3", ... */
export function fakeId(prefix: string, n: number): string {
  return `${prefix}${n.toString().padStart(4, "0")}`;
}
