// Reads and validates request input with the shared zod schemas; failures become one 400
// naming the field, before anything is written.
import type { Context } from "hono";
import type { z } from "zod";
import { AppError } from "./errors.ts";

export async function readJson<S extends z.ZodType>(c: Context, schema: S): Promise<z.infer<S>> {
  const type = c.req.header("content-type") ?? "";
  if (!/^application\/json\s*(;|$)/i.test(type)) {
    throw new AppError("unsupported_media_type", "Send the body as JSON with Content-Type: application/json.");
  }
  let body: unknown;
  try {
    body = await c.req.json();
  } catch {
    throw new AppError("invalid_json", "The request body is not valid JSON.");
  }
  return parse(schema, body);
}

export function readQuery<S extends z.ZodType>(c: Context, schema: S): z.infer<S> {
  return parse(schema, c.req.query());
}

export function parse<S extends z.ZodType>(schema: S, value: unknown): z.infer<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = issue?.path.map(String).join(".") || undefined;
  const why = issue?.code === "unrecognized_keys" ? `unknown field ${issue.keys.join(", ")}` : issue?.message;
  throw new AppError("validation_failed", field ? `${field}: ${why}` : `Invalid input: ${why}`, {
    field: field ?? (issue?.code === "unrecognized_keys" ? issue.keys[0] : undefined),
  });
}

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A path id; anything that is not a uuid cannot name a row, so it is a 404 like any other. */
export function idParam(c: Context, name = "id"): string {
  const value = c.req.param(name) ?? "";
  if (!uuidPattern.test(value)) throw new AppError("not_found", "No such item.");
  return value.toLowerCase();
}

/** `%text%` for ILIKE, with the pattern characters in the user's text escaped. */
export function likePattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (m) => `\\${m}`)}%`;
}
