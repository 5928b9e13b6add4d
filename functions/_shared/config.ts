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
  /** HS256 secret for access tokens (at least 32 characters). */
  jwtSecret: z.string().min(32, "must be at least 32 characters"),
  jwtIssuer: z.string().max(200).default("atrium"),
  accessTokenTtl: z.coerce.number().int().min(60).max(1800).default(900),
  refreshTokenTtl: z.coerce.number().int().min(3600).max(7_776_000).default(2_592_000),
  /** Seconds in which a rotated refresh token may be presented again (two tabs refreshing). */
  refreshReuseLeeway: z.coerce.number().int().min(0).max(60).default(10),
  /** AES-256-GCM keys, `version:base64key`, newest first. */
  encryptionKeys: csv.pipe(z.array(z.string().regex(/^\d+:[A-Za-z0-9+/=_-]{43,}$/, "use version:base64key")).min(1)),
  allowSignup: z.enum(["true", "false"]).default("false").transform((v) => v === "true"),
  /** Failed sign-ins from one address in 15 minutes before it must wait. */
  loginIpMaxFailures: z.coerce.number().int().min(1).max(100_000).default(30),
  /** Public base URL of the project (SUPABASE_URL); SSO redirect URIs are built from it. */
  publicUrl: z.string().url().optional(),
  /** Where the browser goes after SSO (the hosted web app); defaults to publicUrl. */
  webUrl: z.string().url().optional(),
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
  jwtSecret: ["JWT_SECRET"],
  jwtIssuer: ["JWT_ISSUER"],
  accessTokenTtl: ["ACCESS_TOKEN_TTL"],
  refreshTokenTtl: ["REFRESH_TOKEN_TTL"],
  refreshReuseLeeway: ["REFRESH_REUSE_LEEWAY"],
  encryptionKeys: ["ENCRYPTION_KEYS"],
  allowSignup: ["ALLOW_SIGNUP"],
  loginIpMaxFailures: ["LOGIN_IP_MAX_FAILURES"],
  publicUrl: ["ATRIUM_PUBLIC_URL", "SUPABASE_URL"],
  webUrl: ["WEB_URL"],
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
