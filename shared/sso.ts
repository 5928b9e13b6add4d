// SSO settings of a tenant (OpenID Connect), shared by the admin API and the web app.
import { z } from "zod";

export const ssoSettingsInput = z.strictObject({
  issuer: z.url({ protocol: /^https?$/ }).max(500),
  client_id: z.string().trim().min(1).max(500),
  /** Write-only; omit to keep the stored secret. */
  client_secret: z.string().min(1).max(2000).optional(),
  allowed_domains: z
    .array(z.string().trim().toLowerCase().max(253).regex(/^[a-z0-9.-]+\.[a-z]{2,}$|^localhost$/, "must be a domain"))
    .max(50)
    .default([]),
  default_role: z.enum(["admin", "member", "readonly"]).default("member"),
  enabled: z.boolean().default(true),
});

export const ssoSettings = z.object({
  issuer: z.string(),
  client_id: z.string(),
  has_client_secret: z.boolean(),
  allowed_domains: z.array(z.string()),
  default_role: z.enum(["admin", "member", "readonly"]),
  enabled: z.boolean(),
  redirect_uri: z.string(),
});
export type SsoSettings = z.infer<typeof ssoSettings>;
