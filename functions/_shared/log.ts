// Structured JSON logs, one line per event, with secrets redacted before they are written.
type Level = "debug" | "info" | "warn" | "error";
const order: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };
let threshold: Level = "info";

export function setLogLevel(level: Level): void {
  threshold = level;
}

// Keys whose values are never logged (`access_token`, `api_key`, …; not `input_tokens`).
const secretKey =
  /^(.*[-_])?(pass(word)?|secret|token|authorization|api[-_]?key|cookie|credentials?|private[-_]?key|ciphertext|nonce)$/i;
const secretValue: Array<[RegExp, string]> = [
  [/\b(sk|rk|pk|atr|sess)[-_][A-Za-z0-9_-]{8,}/g, "[redacted]"], // provider and Atrium keys
  [/\bBearer\s+[A-Za-z0-9._~+/=-]+/gi, "Bearer [redacted]"],
  [/\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*/g, "[redacted-jwt]"],
  [/(postgres(?:ql)?:\/\/[^:/\s@]+:)[^@\s]+@/gi, "$1[redacted]@"], // connection-string passwords
];

/** Redact a value for logging: secret-looking keys lose their values, strings lose tokens. */
export function redact(value: unknown, depth = 0): unknown {
  if (typeof value === "string") return secretValue.reduce((s, [re, to]) => s.replace(re, to), value);
  if (value instanceof Error) return { name: value.name, message: redact(value.message, depth + 1) };
  if (depth > 6 || value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [k, secretKey.test(k) ? "[redacted]" : redact(v, depth + 1)]),
  );
}

export function log(level: Level, event: string, fields: Record<string, unknown> = {}): void {
  if (order[level] < order[threshold]) return;
  const line = JSON.stringify({ time: new Date().toISOString(), level, event, ...(redact(fields) as object) });
  if (level === "error" || level === "warn") console.error(line);
  else console.log(line);
}
