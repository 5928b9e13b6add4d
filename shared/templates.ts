// Prompt-template schemas shared by the chat API and the web app: reusable prompts with
// {{variable}} placeholders, personal or tenant-wide, searchable, one optionally the
// enhancement prompt.
import { z } from "zod";
import { itemListQuery, itemScope } from "./assistants.ts";

/** A variable name inside `{{ … }}`. */
export const variableNamePattern = /^[A-Za-z_][A-Za-z0-9_.-]{0,63}$/;
export const maxTemplateChars = 20_000;
export const maxVariableChars = 20_000;
export const maxRenderedChars = 100_000;

// Fields without defaults, so an update names only what changes.
const fields = {
  /** How people and slash commands refer to it: unique in the organisation. */
  name: z
    .string()
    .trim()
    .min(1)
    .max(64)
    .regex(/^[a-z0-9]+(?:[_-][a-z0-9]+)*$/, "use lowercase letters and digits, words joined by - or _"),
  title: z.string().trim().min(1).max(200),
  content: z.string().min(1).max(maxTemplateChars),
  category: z.string().trim().max(50),
  tags: z
    .array(z.string().trim().toLowerCase().min(1).max(40))
    .max(20)
    .transform((tags) => [...new Set(tags)]),
  /** The prompt used to improve other prompts (one tenant-wide, one personal per user). */
  is_enhancement: z.boolean(),
};

export const templateCreate = z.strictObject({
  name: fields.name,
  /** Defaults to the name. */
  title: fields.title.optional(),
  content: fields.content,
  category: fields.category.default(""),
  tags: fields.tags.default([]),
  is_enhancement: fields.is_enhancement.default(false),
  /** `tenant` shares it with everyone in the organisation (admins only). */
  scope: itemScope.default("personal"),
});
export type TemplateCreate = z.infer<typeof templateCreate>;

export const templateUpdate = z
  .strictObject({
    name: fields.name.optional(),
    title: fields.title.optional(),
    content: fields.content.optional(),
    category: fields.category.optional(),
    tags: fields.tags.optional(),
    is_enhancement: fields.is_enhancement.optional(),
  })
  .refine((v) => Object.keys(v).length > 0, { message: "name at least one field to change" });
export type TemplateUpdate = z.infer<typeof templateUpdate>;

/** Search (ranked, websearch syntax: words, "phrases", or, -not) and filters. */
export const templateListQuery = itemListQuery.extend({
  q: z.string().trim().min(1).max(200).optional(),
  category: z.string().trim().min(1).max(50).optional(),
  tag: z.string().trim().toLowerCase().min(1).max(40).optional(),
});

export const templateRender = z.strictObject({
  /** Values by variable name; names the template does not use are ignored. */
  variables: z
    .record(z.string().min(1).max(64), z.string().max(maxVariableChars))
    .refine((v) => Object.keys(v).length <= 200, "at most 200 variables")
    .default({}),
});
export type TemplateRender = z.infer<typeof templateRender>;

export const renderedTemplate = z.object({
  content: z.string(),
  /** The variables the template used, in order of first appearance. */
  variables_used: z.array(z.string()),
});
export type RenderedTemplate = z.infer<typeof renderedTemplate>;

export const template = z.object({
  id: z.uuid(),
  scope: itemScope,
  owner_id: z.uuid().nullable(),
  name: z.string(),
  title: z.string(),
  content: z.string(),
  category: z.string(),
  tags: z.array(z.string()),
  is_enhancement: z.boolean(),
  /** The `{{variables}}` of the content, in order of first appearance. */
  variables: z.array(z.string()),
  /** Whether the caller may change or delete it. */
  editable: z.boolean(),
  /** Search rank, in search results only. */
  rank: z.number().optional(),
  created_at: z.string(),
  updated_at: z.string(),
});
export type Template = z.infer<typeof template>;
