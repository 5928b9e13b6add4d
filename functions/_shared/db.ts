// The postgres.js pool and the one way request code reaches the database: withClaims(), which
// runs a transaction as `authenticated` with the verified claims set, so RLS decides what it sees.
import postgres from "postgres";
import { config } from "./config.ts";

export type Sql = postgres.Sql;
export type Tx = postgres.TransactionSql;

/** Verified access-token claims, as RLS helpers in schema `app` read them. */
export interface Claims {
  sub: string;
  tenant_id: string;
  app_role: "owner" | "admin" | "member" | "readonly";
  sid?: string;
  superadmin?: boolean;
  email?: string;
  role?: string;
}

let pool: Sql | undefined;

/** The shared pool. Only this module and privileged.ts may use it directly. */
export function db(): Sql {
  if (!pool) {
    const cfg = config();
    pool = postgres(cfg.databaseUrl, {
      prepare: false, // Supavisor's transaction pooler cannot keep prepared statements
      max: cfg.dbPoolMax,
      idle_timeout: 20,
      connect_timeout: 5,
      onnotice: () => {},
      connection: { application_name: "atrium-functions" },
    });
  }
  return pool;
}

/** Run fn in one transaction as role `authenticated` with request.jwt.claims = claims. */
export function withClaims<T>(claims: Claims, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return db().begin(async (tx) => {
    await tx`select set_config('role', 'authenticated', true),
                    set_config('request.jwt.claims', ${JSON.stringify(claims)}, true)`;
    return fn(tx);
  }) as Promise<T>;
}

/** A cheap round trip for health checks, bounded so a dead database answers fast. */
export async function ping(timeoutMs = 2000): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)));
  try {
    const query = db()`select 1`.then(() => true, () => false);
    return await Promise.race([query, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Close the pool (tests and graceful shutdown). */
export async function closeDb(): Promise<void> {
  const p = pool;
  pool = undefined;
  await p?.end({ timeout: 5 });
}
