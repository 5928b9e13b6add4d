// Typed configuration, parsed once from the environment the entry file hands over.
// Entry files call configure(Deno.env.toObject()); tests call it with their own values.
import { z } from "zod";

const csv = z
  .string()
  .transform((s) => s.split(",").map((x) => x.trim()).filter(Boolean));

const schema = z.object({
  /** Postgres connection string; Supabase provides SUPABASE_DB_URL, DATABASE_URL wins. */
  databaseUrl: z.string().url(),
  /** Pool size per function instance; keep small behind Supavisor. */
  dbPoolMax: z.coerce.number().int().min(1).max(50).default(5),
  version: z.string().max(64).default("0.1.0"),
  /** "local" enables the seeded tenant and the offline demo model. */
  environment: z.enum(["local", "test", "production"]).default("production"),
  logLevel: z.enum(["debug", "info", "warn", "error"]).default("info"),
  /** Largest request body accepted, in bytes. */
  maxBodyBytes: z.coerce.number().int().min(1024).max(10_485_760).default(1_048_576),
  corsOrigins: csv.default([]),
});

export type Config = z.infer<typeof schema>;
export type Env = Record<string, string | undefined>;

/** Which environment variables feed each field, first non-empty wins. */
const sources: Record<keyof Config, string[]> = {
  databaseUrl: ["DATABASE_URL", "SUPABASE_DB_URL"],
  dbPoolMax: ["DB_POOL_MAX"],
  version: ["ATRIUM_VERSION"],
  environment: ["ATRIUM_ENV"],
  logLevel: ["LOG_LEVEL"],
  maxBodyBytes: ["MAX_BODY_BYTES"],
  corsOrigins: ["CORS_ORIGINS"],
};

let current: Config | undefined;

/** Parse the environment once; throws a one-line error naming the bad variable. */
export function configure(env: Env): Config {
  const input = Object.fromEntries(
    Object.entries(sources).map(([key, names]) => [key, names.map((n) => env[n]).find((v) => v)]),
  );
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const key = String(issue?.path[0] ?? "") as keyof Config;
    const name = sources[key]?.join(" or ") ?? "configuration";
    throw new Error(`Invalid configuration: ${name}: ${issue?.message ?? "invalid value"}`);
  }
  current = parsed.data;
  return current;
}

export function config(): Config {
  if (!current) throw new Error("configure() was not called by the entry file");
  return current;
}
