// Team schemas shared by the admin API and the web app.
import { z } from "zod";

export const teamCreate = z.strictObject({
  name: z.string().trim().min(1).max(100),
  description: z.string().trim().max(1000).default(""),
});
// No defaults here: an update changes only what it names.
export const teamUpdate = z
  .strictObject({ name: z.string().trim().min(1).max(100), description: z.string().trim().max(1000) })
  .partial()
  .refine((v) => Object.keys(v).length > 0, { message: "name at least one field to change" });
export const teamMemberAdd = z.strictObject({ user_id: z.uuid() });
