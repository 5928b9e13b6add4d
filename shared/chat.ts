// Schemas of conversations, messages and usage, shared by the chat API and the web app.
import { z } from "zod";

/** Largest message a user may send (characters); the request body limit is 1 MiB. */
export const MAX_MESSAGE_CHARS = 100_000;

const temperature = z.number().min(0).max(2);
/** A model by its row id, or by the provider's model id (e.g. "gpt-4.1"). */
const modelRef = z.string().trim().min(1).max(200);

export const conversationCreate = z.strictObject({
  title: z.string().trim().min(1).max(200).optional(),
  model: modelRef.nullable().optional(),
  temperature: temperature.nullable().optional(),
  assistant_id: z.uuid().nullable().optional(),
});

export const conversationUpdate = z
  .strictObject({
    title: z.string().trim().min(1).max(200).optional(),
    model: modelRef.nullable().optional(),
    temperature: temperature.nullable().optional(),
    assistant_id: z.uuid().nullable().optional(),
    archived: z.boolean().optional(),
  })
  .refine((v) => Object.keys(v).length > 0, { message: "name at least one field to change" });

export const conversationListQuery = z.strictObject({
  q: z.string().trim().max(200).optional(),
  archived: z.enum(["true", "false"]).default("false").transform((v) => v === "true"),
  limit: z.coerce.number().int().min(1).max(100).default(30),
  cursor: z.string().max(200).optional(),
});

export const messagePageQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(500).default(100),
  /** Messages before this sequence number (older pages). */
  before: z.coerce.number().int().min(1).optional(),
});

export const messageSend = z.strictObject({
  content: z.string().min(1, "is required").max(MAX_MESSAGE_CHARS, `must be at most ${MAX_MESSAGE_CHARS} characters`),
  model: modelRef.optional(),
  temperature: temperature.optional(),
  stream: z.boolean().default(false),
});

export const regenerateRequest = z
  .strictObject({ model: modelRef.optional(), temperature: temperature.optional(), stream: z.boolean().default(false) })
  .default({ stream: false });

export const usageQuery = z.strictObject({ days: z.coerce.number().int().min(1).max(366).default(30) });

export const messageSchema = z.object({
  id: z.uuid(),
  seq: z.number(),
  role: z.enum(["user", "assistant", "system"]),
  content: z.string(),
  model: z.string().nullable(),
  status: z.enum(["complete", "interrupted", "failed"]),
  error_code: z.string().nullable(),
  input_tokens: z.number(),
  output_tokens: z.number(),
  created_at: z.union([z.string(), z.date()]),
});
export type ChatMessageRow = z.infer<typeof messageSchema>;

export const usageSummary = z.object({ input_tokens: z.number(), output_tokens: z.number(), cost: z.number() });
export type UsageSummary = z.infer<typeof usageSummary>;

export const enhanceRequest = z.strictObject({
  prompt: z.string().trim().min(1, "is required").max(20_000),
  model: modelRef.optional(),
});
