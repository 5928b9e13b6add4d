// Request and response schemas of the admin function, shared with the web app.
import { z } from "zod";
import { emailSchema, passwordSchema, roleSchema, slugSchema } from "./auth.ts";

export const pageQuery = z.strictObject({
  search: z.string().trim().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(300).optional(),
});

export const userCreate = z.strictObject({
  email: emailSchema,
  display_name: z.string().trim().max(200).default(""),
  role: roleSchema.default("member"),
  /** Without a password the user is invited: they sign in through the tenant's SSO. */
  password: passwordSchema.optional(),
});

export const userUpdate = z
  .strictObject({
    display_name: z.string().trim().max(200).optional(),
    role: roleSchema.optional(),
    active: z.boolean().optional(),
  })
  .refine((v) => Object.keys(v).length > 0, { message: "name at least one field to change" });

export const adminUser = z.object({
  id: z.uuid(),
  email: z.string(),
  display_name: z.string(),
  role: roleSchema,
  active: z.boolean(),
  sso_linked: z.boolean(),
  has_password: z.boolean().optional(),
  last_login_at: z.string().nullable(),
  created_at: z.string(),
});
export type AdminUser = z.infer<typeof adminUser>;

export const tenantCreate = z.strictObject({
  name: z.string().trim().min(1).max(200),
  slug: slugSchema,
  max_users: z.number().int().min(1).max(1_000_000).nullable().optional(),
  owner_email: emailSchema.optional(),
  owner_password: passwordSchema.optional(),
});

export const tenantUpdate = z
  .strictObject({
    name: z.string().trim().min(1).max(200).optional(),
    max_users: z.number().int().min(1).max(1_000_000).nullable().optional(),
    active: z.boolean().optional(),
    settings: z.record(z.string().max(100), z.unknown()).optional(),
  })
  .refine((v) => Object.keys(v).length > 0, { message: "name at least one field to change" });

export const ownTenantUpdate = z
  .strictObject({
    name: z.string().trim().min(1).max(200).optional(),
    settings: z.record(z.string().max(100), z.unknown()).optional(),
  })
  .refine((v) => Object.keys(v).length > 0, { message: "name at least one field to change" });
