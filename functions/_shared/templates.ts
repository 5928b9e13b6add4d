// Prompt-template rendering: `{{ name }}` placeholders (spaces optional) replaced in one pass,
// so a value that itself contains `{{…}}` is inserted as written; `\{{` writes a literal `{{`.
import { AppError } from "./errors.ts";
import { maxRenderedChars } from "../../shared/templates.ts";

/** An escape, or a placeholder with its name in group 1 (see variableNamePattern). */
const token = /\\\{\{|\{\{[ \t]*([A-Za-z_][A-Za-z0-9_.-]{0,63})[ \t]*\}\}/g;

/** The variables a template uses, each once, in order of first appearance. */
export function templateVariables(content: string): string[] {
  const seen = new Set<string>();
  for (const m of content.matchAll(token)) if (m[1] !== undefined) seen.add(m[1]);
  return [...seen];
}

export interface Rendered {
  content: string;
  variables_used: string[];
}

/**
 * Fill a template. Every variable it uses needs a value (400 `missing_variable`, naming the
 * first in `field`); values it does not use are ignored; the result is bounded.
 */
export function renderTemplate(content: string, values: Record<string, string>, maxChars = maxRenderedChars): Rendered {
  // A Map of own entries only: a template mentioning {{constructor}} must not find Object's.
  const given = new Map(Object.entries(values));
  const used = templateVariables(content);
  const missing = used.filter((name) => !given.has(name));
  if (missing.length > 0) {
    const names = missing.slice(0, 5).map((n) => `"${n}"`).join(", ") + (missing.length > 5 ? ` and ${missing.length - 5} more` : "");
    throw new AppError(
      "validation_failed",
      missing.length === 1 ? `Missing a value for the variable ${names}.` : `Missing values for the variables ${names}.`,
      { code: "missing_variable", field: `variables.${missing[0]}` },
    );
  }
  // Measure before building: 2 000 placeholders of a 20 000-character value would otherwise
  // build a 40 MB string just to refuse it.
  let length = content.length;
  for (const m of content.matchAll(token)) length += (m[1] === undefined ? 2 : given.get(m[1])!.length) - m[0].length;
  if (length > maxChars) {
    throw new AppError("validation_failed", `The rendered prompt would be longer than ${maxChars} characters.`, {
      code: "rendered_too_long",
      field: "variables",
    });
  }
  const out = content.replace(token, (_match: string, name: string | undefined) => (name === undefined ? "{{" : given.get(name)!));
  return { content: out, variables_used: used };
}
