// The health answer, shared by the function and the web app's status view.
import { z } from "zod";

export const healthSchema = z.object({
  status: z.enum(["ok", "degraded"]),
  version: z.string().max(64),
  database: z.enum(["ok", "unavailable"]),
});
export type Health = z.infer<typeof healthSchema>;
