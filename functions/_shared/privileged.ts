// The one module that runs SQL without row-level security. Everything here happens before a
// verified request context exists (sign-in, refresh, SSO) or writes secrets RLS never shows.
// Each export is listed; add to this list only with a reason:
//   loginCandidates, accountById   accounts at sign-in and token exchange (password hashes included)
//   loginThrottle        failures per account and per address; recordLoginAttempt
//   createSession        a session and its first refresh token, after a verified sign-in
//   rotateRefreshToken   single-use rotation with reuse detection (revokes the family)
//   signupOrganisation   a new tenant and its owner, when signup is enabled
//   passwordHashOf, setPassword   the verified caller's own password
//   revokeSessions       a user's other sessions after a password change
//   ssoConfig, saveSsoFlow, takeSsoFlow, provisionSsoUser, createAuthCode, takeAuthCode   SSO before a session exists
//   auditUnauthenticated audit rows for events without claims (failed sign-ins, signup)
import type postgres from "postgres";
import { type AuditEvent, audit } from "./audit.ts";
import { config } from "./config.ts";
import { db } from "./db.ts";
import { hmac, randomToken, sha256Hex } from "./crypto.ts";

export interface AccountRow {
  id: string;
  tenant_id: string;
  tenant_slug: string;
  email: string;
  display_name: string;
  role: "owner" | "admin" | "member" | "readonly";
  superadmin: boolean;
  password_hash: string | null;
}

const accountColumns = (sql: postgres.Sql | postgres.TransactionSql) =>
  sql`u.id, u.tenant_id, t.slug as tenant_slug, u.email, u.display_name, u.role, u.superadmin, u.password_hash`;

/** Active accounts with this email in active tenants (one tenant when a slug is given). */
export async function loginCandidates(email: string, tenantSlug?: string): Promise<AccountRow[]> {
  const sql = db();
  return await sql<AccountRow[]>`
    select ${accountColumns(sql)} from public.users u join public.tenants t on t.id = u.tenant_id
    where u.email = ${email} and u.active and t.active ${tenantSlug ? sql`and t.slug = ${tenantSlug}` : sql``}
    order by u.created_at limit 5`;
}

export async function accountById(userId: string): Promise<AccountRow | undefined> {
  const sql = db();
  const [row] = await sql<AccountRow[]>`
    select ${accountColumns(sql)} from public.users u join public.tenants t on t.id = u.tenant_id
    where u.id = ${userId} and u.active and t.active`;
  return row;
}

// Section: throttling

/** Per account: 5 failures since the last success, then 30 s doubling up to the window. */
const THROTTLE = { accountFailures: 5, windowMinutes: 15, baseDelaySeconds: 30 };

/** Seconds to wait before another attempt for this account or address, or 0. */
export async function loginThrottle(accountKey: string, ip: string | null): Promise<number> {
  const { accountFailures, windowMinutes, baseDelaySeconds } = THROTTLE;
  const ipFailures = config().loginIpMaxFailures;
  const [row] = await db()<{ account_wait: number; ip_wait: number }[]>`
    with last_ok as (
      select coalesce(max(created_at), '-infinity') as at from public.login_attempts
      where account_key = ${accountKey} and succeeded
    ), acct as (
      select count(*) as n, max(created_at) as last from public.login_attempts, last_ok
      where account_key = ${accountKey} and not succeeded and created_at > last_ok.at
        and created_at > now() - make_interval(mins => ${windowMinutes})
    ), by_ip as (
      select count(*) as n, min(created_at) as first from (
        select created_at from public.login_attempts
        where ${ip}::inet is not null and ip = ${ip}::inet and not succeeded
          and created_at > now() - make_interval(mins => ${windowMinutes})
        order by created_at desc limit ${ipFailures}) recent
    )
    select
      case when acct.n >= ${accountFailures} then greatest(0, extract(epoch from
        acct.last + least(make_interval(secs => ${baseDelaySeconds} * power(2, acct.n - ${accountFailures})),
                          make_interval(mins => ${windowMinutes})) - now()))::int else 0 end as account_wait,
      case when by_ip.n >= ${ipFailures} then greatest(0, extract(epoch from
        by_ip.first + make_interval(mins => ${windowMinutes}) - now()))::int else 0 end as ip_wait
    from acct, by_ip`;
  return Math.max(row?.account_wait ?? 0, row?.ip_wait ?? 0);
}

export async function recordLoginAttempt(accountKey: string, ip: string | null, succeeded: boolean): Promise<void> {
  await db()`insert into public.login_attempts (account_key, ip, succeeded) values (${accountKey}, ${ip}::inet, ${succeeded})`;
}

// Section: sessions and refresh tokens

export interface NewSession {
  sessionId: string;
  refreshToken: string;
}

export async function createSession(
  account: Pick<AccountRow, "id" | "tenant_id">,
  method: "password" | "sso",
  client: { ip: string | null; userAgent: string | null },
): Promise<NewSession> {
  const refreshToken = randomToken("atr_rt_");
  const tokenHash = await sha256Hex(refreshToken);
  const ttl = config().refreshTokenTtl;
  const sessionId = await db().begin(async (tx) => {
    const [s] = await tx<{ id: string }[]>`
      insert into public.sessions (tenant_id, user_id, method, ip, user_agent, expires_at)
      values (${account.tenant_id}, ${account.id}, ${method}, ${client.ip}::inet, ${client.userAgent},
              now() + make_interval(secs => ${ttl}))
      returning id`;
    await tx`insert into public.refresh_tokens (tenant_id, session_id, token_hash)
             values (${account.tenant_id}, ${s!.id}, ${tokenHash})`;
    await tx`update public.users set last_login_at = now() where id = ${account.id}`;
    return s!.id;
  });
  return { sessionId, refreshToken };
}

export type RefreshOutcome =
  | { kind: "ok"; refreshToken: string; sessionId: string; account: AccountRow }
  | { kind: "invalid" }
  | { kind: "reused"; tenantId: string; userId: string; sessionId: string };

/**
 * Rotate a refresh token. The successor is derived (HMAC of the presented token), so two
 * concurrent refreshes inside the leeway receive the same successor instead of forking the
 * family; presenting a rotated token after the leeway revokes the whole session.
 */
export async function rotateRefreshToken(presented: string): Promise<RefreshOutcome> {
  const { jwtSecret, refreshReuseLeeway } = config();
  const hash = await sha256Hex(presented);
  const successor = `atr_rt_${await hmac(jwtSecret, `refresh-successor:${presented}`)}`;
  const successorHash = await sha256Hex(successor);
  return await db().begin(async (tx): Promise<RefreshOutcome> => {
    const [rt] = await tx<{ id: string; tenant_id: string; session_id: string; user_id: string; rotated_ago: number | null;
      live: boolean; replaced_by: string | null; successor_rotated: boolean }[]>`
      select rt.id, rt.tenant_id, rt.session_id, s.user_id, rt.replaced_by,
             extract(epoch from now() - rt.rotated_at)::float8 as rotated_ago,
             (s.revoked_at is null and s.expires_at > now() and u.active and t.active) as live,
             coalesce((select n.rotated_at is not null from public.refresh_tokens n where n.id = rt.replaced_by), false)
               as successor_rotated
      from public.refresh_tokens rt
      join public.sessions s on s.id = rt.session_id
      join public.users u on u.id = s.user_id
      join public.tenants t on t.id = s.tenant_id
      where rt.token_hash = ${hash}
      for update of rt`;
    if (!rt || !rt.live) return { kind: "invalid" };
    if (rt.rotated_ago !== null) {
      const withinLeeway = rt.rotated_ago <= refreshReuseLeeway && !rt.successor_rotated;
      if (!withinLeeway) {
        await tx`update public.sessions set revoked_at = now(), revoked_reason = 'refresh_reuse'
                 where id = ${rt.session_id} and revoked_at is null`;
        return { kind: "reused", tenantId: rt.tenant_id, userId: rt.user_id, sessionId: rt.session_id };
      }
    } else {
      const [next] = await tx<{ id: string }[]>`
        insert into public.refresh_tokens (tenant_id, session_id, token_hash)
        values (${rt.tenant_id}, ${rt.session_id}, ${successorHash}) returning id`;
      await tx`update public.refresh_tokens set rotated_at = now(), replaced_by = ${next!.id} where id = ${rt.id}`;
      await tx`update public.sessions set last_refreshed_at = now() where id = ${rt.session_id}`;
    }
    const [account] = await tx<AccountRow[]>`
      select ${accountColumns(tx)} from public.users u join public.tenants t on t.id = u.tenant_id
      where u.id = ${rt.user_id}`;
    return { kind: "ok", refreshToken: successor, sessionId: rt.session_id, account: account! };
  });
}

/** End other sessions of a user (password change), or all of them (deactivation). */
export async function revokeSessions(userId: string, reason: string, exceptSessionId?: string): Promise<number> {
  const rows = await db()`
    update public.sessions set revoked_at = now(), revoked_reason = ${reason}
    where user_id = ${userId} and revoked_at is null ${exceptSessionId ? db()`and id <> ${exceptSessionId}` : db()``}
    returning id`;
  return rows.length;
}

// Section: signup and passwords

export async function signupOrganisation(input: {
  name: string;
  slug: string;
  email: string;
  displayName: string;
  passwordHash: string;
}): Promise<AccountRow> {
  return await db().begin(async (tx) => {
    const [tenant] = await tx<{ id: string }[]>`
      insert into public.tenants (name, slug) values (${input.name}, ${input.slug}) returning id`;
    const [user] = await tx<{ id: string }[]>`
      insert into public.users (tenant_id, email, display_name, password_hash, role)
      values (${tenant!.id}, ${input.email}, ${input.displayName}, ${input.passwordHash}, 'owner') returning id`;
    return {
      id: user!.id, tenant_id: tenant!.id, tenant_slug: input.slug, email: input.email,
      display_name: input.displayName, role: "owner", superadmin: false, password_hash: null,
    };
  });
}

export async function passwordHashOf(userId: string): Promise<string | null> {
  const [row] = await db()<{ password_hash: string | null }[]>`select password_hash from public.users where id = ${userId}`;
  return row?.password_hash ?? null;
}

export async function setPassword(userId: string, passwordHash: string): Promise<void> {
  await db()`update public.users set password_hash = ${passwordHash}, updated_at = now() where id = ${userId}`;
}

export async function auditUnauthenticated(e: AuditEvent): Promise<void> {
  await audit(db(), e);
}

// Section: single sign-on

export interface SsoConfigRow {
  id: string;
  tenant_id: string;
  tenant_slug: string;
  issuer: string;
  client_id: string;
  client_secret_sealed: string | null;
  allowed_domains: string[];
  default_role: "admin" | "member" | "readonly";
}

/** The enabled SSO configuration of an active tenant, by slug (start) or id (callback). */
export async function ssoConfig(by: { slug: string } | { tenantId: string }): Promise<SsoConfigRow | undefined> {
  const sql = db();
  const [row] = await sql<SsoConfigRow[]>`
    select s.id, s.tenant_id, t.slug as tenant_slug, s.issuer, s.client_id, s.client_secret_sealed,
           s.allowed_domains, s.default_role
    from public.tenant_sso s join public.tenants t on t.id = s.tenant_id
    where s.enabled and t.active and ${"slug" in by ? sql`t.slug = ${by.slug}` : sql`t.id = ${by.tenantId}`}`;
  return row;
}

export async function saveSsoFlow(flow: {
  stateHash: string;
  tenantId: string;
  browserHash: string;
  nonce: string;
  codeVerifierSealed: string;
  returnTo: string | null;
}): Promise<void> {
  await db()`
    insert into public.sso_flows (state_hash, tenant_id, browser_hash, nonce, code_verifier_sealed, return_to, expires_at)
    values (${flow.stateHash}, ${flow.tenantId}, ${flow.browserHash}, ${flow.nonce}, ${flow.codeVerifierSealed},
            ${flow.returnTo}, now() + interval '10 minutes')`;
}

/** Consume a flow once; expired flows are never returned. */
export async function takeSsoFlow(stateHash: string): Promise<
  { tenant_id: string; browser_hash: string; nonce: string; code_verifier_sealed: string; return_to: string | null } | undefined
> {
  const [row] = await db()<{ tenant_id: string; browser_hash: string; nonce: string; code_verifier_sealed: string;
    return_to: string | null; live: boolean }[]>`
    delete from public.sso_flows where state_hash = ${stateHash}
    returning tenant_id, browser_hash, nonce, code_verifier_sealed, return_to, expires_at > now() as live`;
  return row?.live ? row : undefined;
}

export type ProvisionOutcome =
  | { kind: "ok"; account: AccountRow; created: boolean; linked: boolean }
  | { kind: "refused"; reason: "inactive" | "linked_to_another_identity" | "email_unverified" };

/**
 * Find the user for an SSO identity: by subject, else by email (linking the subject, only when
 * the provider vouches for the email, so an unverified address cannot take over an account),
 * else create one with the tenant's default role. max_users is enforced by the users trigger.
 */
export async function provisionSsoUser(input: {
  tenantId: string;
  subject: string;
  email: string;
  emailVerified: boolean;
  name: string | null;
  role: SsoConfigRow["default_role"];
}): Promise<ProvisionOutcome> {
  return await db().begin(async (tx): Promise<ProvisionOutcome> => {
    const [existing] = await tx<{ id: string; active: boolean; sso_subject: string | null }[]>`
      select id, active, sso_subject from public.users
      where tenant_id = ${input.tenantId} and (sso_subject = ${input.subject} or email = ${input.email})
      order by (sso_subject = ${input.subject}) desc nulls last limit 1 for update`;
    let created = false;
    let linked = false;
    let userId: string;
    if (existing) {
      if (!existing.active) return { kind: "refused", reason: "inactive" };
      if (existing.sso_subject && existing.sso_subject !== input.subject) {
        return { kind: "refused", reason: "linked_to_another_identity" };
      }
      if (!existing.sso_subject) {
        if (!input.emailVerified) return { kind: "refused", reason: "email_unverified" };
        await tx`update public.users set sso_subject = ${input.subject} where id = ${existing.id}`;
        linked = true;
      }
      userId = existing.id;
    } else {
      const [row] = await tx<{ id: string }[]>`
        insert into public.users (tenant_id, email, display_name, role, sso_subject)
        values (${input.tenantId}, ${input.email}, ${input.name ?? ""}, ${input.role}, ${input.subject}) returning id`;
      userId = row!.id;
      created = true;
    }
    const [account] = await tx<AccountRow[]>`
      select ${accountColumns(tx)} from public.users u join public.tenants t on t.id = u.tenant_id where u.id = ${userId}`;
    return { kind: "ok", account: account!, created, linked };
  });
}

export async function createAuthCode(tenantId: string, userId: string): Promise<string> {
  const code = randomToken("atr_ac_");
  await db()`insert into public.auth_codes (code_hash, tenant_id, user_id, expires_at)
             values (${await sha256Hex(code)}, ${tenantId}, ${userId}, now() + interval '2 minutes')`;
  return code;
}

/** Redeem a one-time SSO code: the account, if the code is fresh and the user still active. */
export async function takeAuthCode(code: string): Promise<AccountRow | undefined> {
  const [row] = await db()<{ user_id: string; live: boolean }[]>`
    delete from public.auth_codes where code_hash = ${await sha256Hex(code)}
    returning user_id, expires_at > now() as live`;
  return row?.live ? await accountById(row.user_id) : undefined;
}
