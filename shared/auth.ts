// Request and response schemas of the auth function, shared with the web app.
import { z } from "zod";

export const emailSchema = z
  .string()
  .trim()
  .max(254)
  .toLowerCase()
  // Deliberately plain: local hosts (admin@localhost) and any TLD are valid addresses.
  .regex(/^[^\s@"<>()[\],;:]{1,64}@[a-z0-9-]+(\.[a-z0-9-]+)*$/, "must be an email address");
/** Length and strength are checked by the password policy, which names the rule broken. */
export const passwordSchema = z.string().min(1, "is required").max(1024, "is too long");
export const slugSchema = z
  .string()
  .trim()
  .toLowerCase()
  .min(1)
  .max(63)
  .regex(/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/, "use lowercase letters, digits and dashes");
export const roleSchema = z.enum(["owner", "admin", "member", "readonly"]);
export type Role = z.infer<typeof roleSchema>;

export const loginRequest = z.strictObject({
  email: emailSchema,
  password: passwordSchema,
  tenant: slugSchema.optional(),
});

export const signupRequest = z.strictObject({
  organisation: z.string().trim().min(1).max(200),
  slug: slugSchema,
  email: emailSchema,
  password: passwordSchema,
  display_name: z.string().trim().max(200).optional(),
});

export const refreshRequest = z.strictObject({ refresh_token: z.string().min(10).max(200) });
export const logoutRequest = z.strictObject({ refresh_token: z.string().max(200).optional() }).optional();
export const passwordChangeRequest = z.strictObject({
  current_password: passwordSchema,
  new_password: passwordSchema,
});
export const ssoExchangeRequest = z.strictObject({ code: z.string().min(10).max(200) });

export const publicUserSchema = z.object({
  id: z.uuid(),
  email: z.string(),
  display_name: z.string(),
  role: roleSchema,
  tenant_id: z.uuid(),
  tenant_slug: z.string(),
  superadmin: z.boolean(),
});
export type PublicUser = z.infer<typeof publicUserSchema>;

export const tokenResponse = z.object({
  access_token: z.string(),
  token_type: z.literal("bearer"),
  expires_in: z.number().int(),
  refresh_token: z.string(),
  user: publicUserSchema,
});
export type TokenResponse = z.infer<typeof tokenResponse>;
