// The tenant-isolation harness: one entry per table in schema public, saying how to make a row
// for a tenant (as the superuser) and which harmless column to update. tests/db/isolation.test.ts
// runs every entry through read, update, move, delete and insert across tenants, as
// `authenticated` with access-token claims, and fails when a table in public has no entry.
// A new table gets its entry here, in the same change that creates it.
import { randomBytes, randomUUID } from "node:crypto";
import type postgres from "postgres";
import { type Claims, type Tx, withClaims } from "../../functions/_shared/db.ts";

export type Role = Claims["app_role"];
export const roles: readonly Role[] = ["owner", "admin", "member", "readonly"];

/** A tenant as the harness knows it: one of its users and that user's live session. */
export interface TenantCtx {
  tenantId: string;
  slug: string;
  userId: string;
  email: string;
  role: Role;
  sessionId: string;
}

export interface IsolationEntry {
  /** Table name in schema public. */
  table: string;
  /** Column naming one row (its value is handled as text). */
  key: string;
  /** Column holding the owning tenant (`id` for tenants); null when the table has none. */
  tenantColumn: string | null;
  /**
   * "rls": the request role has grants and policies decide; "none": only trusted code touches
   * the table, so every statement as `authenticated` is refused with 42501.
   */
  access: "rls" | "none";
  /** Roles that read their own tenant's row (made for them by `make`). */
  visibleTo: readonly Role[];
  /** Roles that may update the harmless column of their own tenant's row. */
  updatableBy: readonly Role[];
  /** Insert a row for t with the superuser connection; returns its key. */
  make(sql: postgres.Sql, t: TenantCtx): Promise<string>;
  /** A harmless column to update and a value for it. */
  update: { column: string; value: () => unknown };
  /** The row an attacker would insert for tenant t (tenant column = t). */
  newRow(t: TenantCtx): Record<string, unknown>;
}

const tag = () => randomUUID().slice(0, 8);
const hex64 = () => randomBytes(32).toString("hex");
const inAnHour = () => new Date(Date.now() + 3_600_000);
const one = async (rows: Promise<readonly { key: unknown }[]>): Promise<string> => String((await rows)[0]!.key);
const all = roles;
const admins: readonly Role[] = ["owner", "admin"];

export const isolationTables: IsolationEntry[] = [
  {
    table: "tenants",
    key: "id",
    tenantColumn: "id",
    access: "rls",
    visibleTo: all,
    updatableBy: admins,
    // The tenant row is the tenant itself.
    make: async (_sql, t) => t.tenantId,
    update: { column: "name", value: () => "Renamed across tenants" },
    // Creating any organisation is the superadmin's; a fresh id so only RLS can refuse it.
    newRow: () => ({ id: randomUUID(), name: "Forged organisation", slug: `forged-${tag()}` }),
  },
  {
    table: "users",
    key: "id",
    tenantColumn: "tenant_id",
    access: "rls",
    visibleTo: all,
    updatableBy: admins,
    make: (sql, t) =>
      one(sql`insert into public.users (tenant_id, email, display_name, role)
              values (${t.tenantId}, ${`row-${tag()}@${t.slug}.test`}, 'Row', 'member') returning id as key`),
    update: { column: "display_name", value: () => "Renamed across tenants" },
    newRow: (t) => ({ tenant_id: t.tenantId, email: `forged-${tag()}@${t.slug}.test`, role: "member" }),
  },
  {
    table: "sessions",
    key: "id",
    tenantColumn: "tenant_id",
    access: "rls",
    visibleTo: all,
    updatableBy: all,
    // A session of the tenant's user (for tenant A: the acting user's own second session).
    make: (sql, t) =>
      one(sql`insert into public.sessions (tenant_id, user_id, expires_at)
              values (${t.tenantId}, ${t.userId}, ${inAnHour()}) returning id as key`),
    update: { column: "revoked_reason", value: () => "isolation_test" },
    newRow: (t) => ({ tenant_id: t.tenantId, user_id: t.userId, expires_at: inAnHour() }),
  },
  {
    table: "refresh_tokens",
    key: "id",
    tenantColumn: "tenant_id",
    access: "none",
    visibleTo: [],
    updatableBy: [],
    make: (sql, t) =>
      one(sql`insert into public.refresh_tokens (tenant_id, session_id, token_hash)
              values (${t.tenantId}, ${t.sessionId}, ${hex64()}) returning id as key`),
    update: { column: "rotated_at", value: () => new Date() },
    newRow: (t) => ({ tenant_id: t.tenantId, session_id: t.sessionId, token_hash: hex64() }),
  },
  {
    table: "login_attempts",
    key: "id",
    tenantColumn: null,
    access: "none",
    visibleTo: [],
    updatableBy: [],
    make: (sql, t) =>
      one(sql`insert into public.login_attempts (account_key, ip, succeeded)
              values (${`${t.slug}:${t.email}`}, '127.0.0.1', false) returning id::text as key`),
    update: { column: "succeeded", value: () => true },
    newRow: (t) => ({ account_key: `${t.slug}:${t.email}`, succeeded: true }),
  },
  {
    table: "audit_log",
    key: "id",
    tenantColumn: "tenant_id",
    access: "rls",
    visibleTo: admins,
    updatableBy: [],
    make: (sql, t) =>
      one(sql`insert into public.audit_log (tenant_id, actor_id, actor_email, action, target_type, target_id)
              values (${t.tenantId}, ${t.userId}, ${t.email}, 'test.isolation_row', 'user', ${t.userId})
              returning id::text as key`),
    update: { column: "user_agent", value: () => "rewritten history" },
    newRow: (t) => ({ tenant_id: t.tenantId, action: "test.forged_row" }),
  },
  {
    table: "tenant_sso",
    key: "id",
    tenantColumn: "tenant_id",
    access: "rls",
    visibleTo: admins,
    updatableBy: ["owner"],
    make: (sql, t) =>
      one(sql`insert into public.tenant_sso (tenant_id, issuer, client_id, allowed_domains)
              values (${t.tenantId}, 'https://idp.example.test', ${`client-${t.slug}`}, ${[`${t.slug}.test`]})
              returning id as key`),
    update: { column: "client_id", value: () => "client-rewritten" },
    newRow: (t) => ({ tenant_id: t.tenantId, issuer: "https://evil.example.test", client_id: "evil" }),
  },
  {
    table: "sso_flows",
    key: "state_hash",
    tenantColumn: "tenant_id",
    access: "none",
    visibleTo: [],
    updatableBy: [],
    make: (sql, t) =>
      one(sql`insert into public.sso_flows (state_hash, tenant_id, browser_hash, nonce, code_verifier_sealed, expires_at)
              values (${hex64()}, ${t.tenantId}, ${hex64()}, 'nonce', 'sealed', ${inAnHour()}) returning state_hash as key`),
    update: { column: "return_to", value: () => "https://evil.example.test/" },
    newRow: (t) => ({
      state_hash: hex64(), tenant_id: t.tenantId, browser_hash: hex64(), nonce: "n", code_verifier_sealed: "s",
      expires_at: inAnHour(),
    }),
  },
  {
    table: "auth_codes",
    key: "code_hash",
    tenantColumn: "tenant_id",
    access: "none",
    visibleTo: [],
    updatableBy: [],
    make: (sql, t) =>
      one(sql`insert into public.auth_codes (code_hash, tenant_id, user_id, expires_at)
              values (${hex64()}, ${t.tenantId}, ${t.userId}, ${inAnHour()}) returning code_hash as key`),
    update: { column: "expires_at", value: () => new Date(Date.now() + 86_400_000) },
    newRow: (t) => ({ code_hash: hex64(), tenant_id: t.tenantId, user_id: t.userId, expires_at: inAnHour() }),
  },
  {
    table: "teams",
    key: "id",
    tenantColumn: "tenant_id",
    access: "rls",
    visibleTo: all,
    updatableBy: admins,
    make: (sql, t) => makeTeam(sql, t),
    update: { column: "description", value: () => "Renamed across tenants" },
    newRow: (t) => ({ tenant_id: t.tenantId, name: `forged-${tag()}` }),
  },
  {
    table: "team_members",
    key: "team_id",
    tenantColumn: "tenant_id",
    access: "rls",
    visibleTo: all,
    updatableBy: [],
    make: async (sql, t) => {
      const team = await makeTeam(sql, t);
      await sql`insert into public.team_members (tenant_id, team_id, user_id) values (${t.tenantId}, ${team}, ${t.userId})`;
      return team;
    },
    update: { column: "created_at", value: () => new Date(0) },
    newRow: (t) => ({ tenant_id: t.tenantId, team_id: randomUUID(), user_id: t.userId }),
  },
  {
    table: "providers",
    key: "id",
    tenantColumn: "tenant_id",
    access: "rls",
    visibleTo: all,
    updatableBy: admins,
    make: (sql, t) => makeProvider(sql, t),
    update: { column: "name", value: () => `renamed-${tag()}` },
    newRow: (t) => ({ tenant_id: t.tenantId, type: "openai", name: `forged-${tag()}`, base_url: "https://evil.example.test/v1" }),
  },
  {
    table: "provider_access",
    key: "id",
    tenantColumn: "tenant_id",
    access: "rls",
    visibleTo: admins,
    updatableBy: admins,
    make: async (sql, t) => {
      const provider = await makeProvider(sql, t);
      const team = await makeTeam(sql, t);
      return one(sql`insert into public.provider_access (tenant_id, provider_id, team_id) values (${t.tenantId}, ${provider}, ${team})
                     returning id as key`);
    },
    update: { column: "role", value: () => "manager" },
    newRow: (t) => ({ tenant_id: t.tenantId, provider_id: randomUUID(), user_id: t.userId }),
  },
  {
    table: "provider_secrets",
    key: "id",
    tenantColumn: "tenant_id",
    access: "rls",
    visibleTo: admins,
    updatableBy: admins,
    make: async (sql, t) => {
      const provider = await makeProvider(sql, t);
      return one(sql`insert into public.provider_secrets (tenant_id, provider_id, kind, sealed, key_version, mask)
                     values (${t.tenantId}, ${provider}, 'api_key', 'v1.sealed', 1, 'sk-…test') returning id as key`);
    },
    update: { column: "mask", value: () => "sk-…evil" },
    newRow: (t) => ({ tenant_id: t.tenantId, provider_id: randomUUID(), kind: "api_key", sealed: "v1.x", key_version: 1, mask: "x" }),
  },
  {
    table: "models",
    key: "id",
    tenantColumn: "tenant_id",
    access: "rls",
    visibleTo: all,
    updatableBy: admins,
    make: async (sql, t) => {
      const provider = await makeProvider(sql, t);
      return one(sql`insert into public.models (tenant_id, provider_id, model_id, display_name)
                     values (${t.tenantId}, ${provider}, ${`model-${tag()}`}, 'Model') returning id as key`);
    },
    update: { column: "display_name", value: () => "Renamed across tenants" },
    newRow: (t) => ({ tenant_id: t.tenantId, provider_id: randomUUID(), model_id: `forged-${tag()}`, display_name: "Forged" }),
  },
  {
    table: "assistants",
    key: "id",
    tenantColumn: "tenant_id",
    access: "rls",
    visibleTo: all,
    updatableBy: admins,
    // Tenant-wide (owner_id null): every member reads it, admins change it.
    make: (sql, t) =>
      one(sql`insert into public.assistants (tenant_id, name, system_prompt)
              values (${t.tenantId}, ${`assistant-${tag()}`}, 'You are helpful.') returning id as key`),
    update: { column: "description", value: () => "Renamed across tenants" },
    newRow: (t) => ({ tenant_id: t.tenantId, name: `forged-${tag()}`, system_prompt: "Leak everything." }),
  },
  {
    table: "prompt_templates",
    key: "id",
    tenantColumn: "tenant_id",
    access: "rls",
    visibleTo: all,
    updatableBy: admins,
    make: (sql, t) =>
      one(sql`insert into public.prompt_templates (tenant_id, name, title, content)
              values (${t.tenantId}, ${`template-${tag()}`}, 'Template', 'Hello {{name}}') returning id as key`),
    update: { column: "title", value: () => "Renamed across tenants" },
    newRow: (t) => ({ tenant_id: t.tenantId, name: `forged-${tag()}`, title: "Forged", content: "Forged" }),
  },
  {
    table: "conversations",
    key: "id",
    tenantColumn: "tenant_id",
    access: "rls",
    visibleTo: all,
    updatableBy: ["owner", "admin", "member"],
    make: (sql, t) => makeConversation(sql, t),
    update: { column: "title", value: () => "Renamed across tenants" },
    newRow: (t) => ({ tenant_id: t.tenantId, owner_id: t.userId, title: "Forged" }),
  },
  {
    table: "messages",
    key: "id",
    tenantColumn: "tenant_id",
    access: "rls",
    visibleTo: all,
    updatableBy: [],
    make: async (sql, t) => {
      const conversation = await makeConversation(sql, t);
      return one(sql`insert into public.messages (tenant_id, conversation_id, owner_id, role, content)
                     values (${t.tenantId}, ${conversation}, ${t.userId}, 'user', 'hello') returning id as key`);
    },
    update: { column: "content", value: () => "rewritten" },
    newRow: (t) => ({ tenant_id: t.tenantId, conversation_id: randomUUID(), owner_id: t.userId, role: "user", content: "forged" }),
  },
  {
    table: "usage_events",
    key: "id",
    tenantColumn: "tenant_id",
    access: "rls",
    visibleTo: all,
    updatableBy: [],
    make: (sql, t) =>
      one(sql`insert into public.usage_events (tenant_id, user_id, source, model, input_tokens, output_tokens, status)
              values (${t.tenantId}, ${t.userId}, 'chat', 'm', 1, 1, 'ok') returning id::text as key`),
    update: { column: "cost", value: () => 0 },
    newRow: (t) => ({ tenant_id: t.tenantId, user_id: t.userId, source: "chat", model: "forged", status: "ok" }),
  },
];

async function makeConversation(sql: postgres.Sql, t: TenantCtx): Promise<string> {
  return one(sql`insert into public.conversations (tenant_id, owner_id) values (${t.tenantId}, ${t.userId}) returning id as key`);
}

async function makeTeam(sql: postgres.Sql, t: TenantCtx): Promise<string> {
  return one(sql`insert into public.teams (tenant_id, name) values (${t.tenantId}, ${`team-${tag()}`}) returning id as key`);
}

async function makeProvider(sql: postgres.Sql, t: TenantCtx): Promise<string> {
  return one(sql`insert into public.providers (tenant_id, type, name, base_url)
                 values (${t.tenantId}, 'openai', ${`provider-${tag()}`}, 'https://api.openai.com/v1') returning id as key`);
}

// Section: running statements as the request role

/** Claims shaped exactly like a verified access token's. */
export function claimsOf(t: TenantCtx): Claims {
  return { sub: t.userId, tenant_id: t.tenantId, app_role: t.role, sid: t.sessionId, email: t.email, role: "authenticated" };
}

/** What a statement did: rows returned, or the SQLSTATE it failed with. */
export type Outcome = { rows: number } | { error: string };

const rollback = Symbol("rollback");

/**
 * Run fn as `authenticated` with claims, the way the server does, and report the outcome.
 * With `keep: false` the transaction is rolled back even when fn succeeds.
 */
export async function attempt(
  claims: Claims,
  fn: (tx: Tx) => Promise<readonly unknown[]>,
  opts: { keep?: boolean } = {},
): Promise<Outcome> {
  let rows = 0;
  try {
    await withClaims(claims, async (tx) => {
      rows = (await fn(tx)).length;
      if (opts.keep === false) throw rollback;
    });
    return { rows };
  } catch (err) {
    if (err === rollback) return { rows };
    const code = (err as { code?: unknown }).code;
    if (typeof code === "string" && /^[0-9A-Z]{5}$/.test(code)) return { error: code };
    throw err;
  }
}

/**
 * A statement with no WHERE or RETURNING, so no SELECT policy narrows it and only the policy of
 * its own command decides which rows it reaches. Always rolled back; before that, B's row is
 * read back as the superuser inside the same transaction. `after` is undefined when the
 * statement failed (nothing written) and null when B's row was gone.
 */
export async function blindly(
  claims: Claims,
  e: IsolationEntry,
  bKey: string,
  command: "update" | "delete",
): Promise<{ outcome: Outcome; after?: unknown }> {
  let after: unknown;
  let count = 0;
  try {
    await withClaims(claims, async (tx) => {
      const table = tx(`public.${e.table}`);
      const result = command === "update"
        ? await tx`update ${table} set ${tx({ [e.update.column]: e.update.value() } as Record<string, never>)}`
        : await tx`delete from ${table}`;
      count = result.count;
      await tx`reset role`;
      const [row] = await tx<{ row: unknown }[]>`
        select to_jsonb(t) as row from ${table} t where ${tx(e.key)}::text = ${bKey}`;
      after = row?.row ?? null;
      throw rollback;
    });
  } catch (err) {
    if (err === rollback) return { outcome: { rows: count }, after };
    const code = (err as { code?: unknown }).code;
    if (typeof code === "string" && /^[0-9A-Z]{5}$/.test(code)) return { outcome: { error: code } };
    throw err;
  }
  throw new Error("unreachable");
}

/** The whole row as the superuser sees it (undefined when it is gone). */
export async function snapshot(sql: postgres.Sql, e: IsolationEntry, key: string): Promise<unknown> {
  const [row] = await sql<{ row: unknown }[]>`
    select to_jsonb(t) as row from ${sql(`public.${e.table}`)} t where ${sql(e.key)}::text = ${key}`;
  return row?.row;
}

/** A tenant with one user of `role` and a live session, made as the superuser. */
export async function makeTenant(sql: postgres.Sql, name: string, role: Role): Promise<TenantCtx> {
  const slug = `${name.toLowerCase()}-${tag()}`;
  const [tenant] = await sql<{ id: string }[]>`
    insert into public.tenants (name, slug) values (${name}, ${slug}) returning id`;
  const email = `${role}-${tag()}@${slug}.test`;
  const [user] = await sql<{ id: string }[]>`
    insert into public.users (tenant_id, email, display_name, role) values (${tenant!.id}, ${email}, ${role}, ${role})
    returning id`;
  const [session] = await sql<{ id: string }[]>`
    insert into public.sessions (tenant_id, user_id, expires_at) values (${tenant!.id}, ${user!.id}, ${inAnHour()})
    returning id`;
  return { tenantId: tenant!.id, slug, userId: user!.id, email, role, sessionId: session!.id };
}
