// The health answer, shared by the function and the web app's status view.
import { z } from "zod";

export const providerHealth = z.object({
  id: z.uuid(),
  name: z.string(),
  type: z.string(),
  status: z.enum(["active", "inactive"]),
  last_tested_at: z.union([z.string(), z.date()]).nullable(),
  last_test_ok: z.boolean().nullable(),
  last_test_latency_ms: z.number().nullable(),
  credential_expires_at: z.union([z.string(), z.date()]).nullable(),
});

export const healthSchema = z.object({
  status: z.enum(["ok", "degraded"]),
  version: z.string().max(64),
  database: z.enum(["ok", "unavailable"]),
  /** Only with an admin's access token. */
  providers: z.array(providerHealth).optional(),
});
export type Health = z.infer<typeof healthSchema>;
