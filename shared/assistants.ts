// Assistant schemas shared by the chat API and the web app: a named system prompt with an
// optional model and temperature, personal or shared with the whole tenant.
import { z } from "zod";

/** Who an assistant or template belongs to: its creator, or the whole tenant (admins manage). */
export const itemScope = z.enum(["personal", "tenant"]);
export type ItemScope = z.infer<typeof itemScope>;

/** List filters common to assistants and templates; cursor is the id of the last row seen. */
export const itemListQuery = z.strictObject({
  scope: z.enum(["all", "personal", "tenant"]).default("all"),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.uuid().optional(),
});

// Fields without defaults, so an update names only what changes (a default in a partial
// schema would silently reset an omitted field).
const fields = {
  name: z.string().trim().min(1).max(100),
  description: z.string().trim().max(1000),
  /** An emoji or a few characters. */
  icon: z.string().trim().max(16),
  system_prompt: z.string().max(20_000),
  model_id: z.uuid().nullable(),
  temperature: z.number().min(0).max(2).nullable(),
};

export const assistantCreate = z.strictObject({
  name: fields.name,
  description: fields.description.default(""),
  icon: fields.icon.default(""),
  system_prompt: fields.system_prompt.default(""),
  model_id: fields.model_id.default(null),
  temperature: fields.temperature.default(null),
  /** `tenant` shares it with everyone in the organisation (admins only). */
  scope: itemScope.default("personal"),
});
export type AssistantCreate = z.infer<typeof assistantCreate>;

export const assistantUpdate = z
  .strictObject({
    name: fields.name.optional(),
    description: fields.description.optional(),
    icon: fields.icon.optional(),
    system_prompt: fields.system_prompt.optional(),
    model_id: fields.model_id.optional(),
    temperature: fields.temperature.optional(),
  })
  .refine((v) => Object.keys(v).length > 0, { message: "name at least one field to change" });
export type AssistantUpdate = z.infer<typeof assistantUpdate>;

export const assistant = z.object({
  id: z.uuid(),
  scope: itemScope,
  owner_id: z.uuid().nullable(),
  name: z.string(),
  description: z.string(),
  icon: z.string(),
  system_prompt: z.string(),
  model_id: z.uuid().nullable(),
  temperature: z.number().nullable(),
  /** Whether the caller may change or delete it. */
  editable: z.boolean(),
  created_at: z.string(),
  updated_at: z.string(),
});
export type Assistant = z.infer<typeof assistant>;
