// Password sign-in and everything around a session: signup, login, refresh, logout, me,
// password change. Unknown accounts and wrong passwords look the same, in body and in time.
import { Hono } from "hono";
import { type AuthEnv, clientInfo, requireAuth, userTx } from "../../_shared/auth.ts";
import { audit } from "../../_shared/audit.ts";
import { config } from "../../_shared/config.ts";
import { AppError } from "../../_shared/errors.ts";
import { burnPasswordCheck, checkPasswordPolicy, hashPassword, verifyPassword } from "../../_shared/password.ts";
import * as privileged from "../../_shared/privileged.ts";
import { readJson } from "../../_shared/validate.ts";
import {
  loginRequest,
  logoutRequest,
  passwordChangeRequest,
  refreshRequest,
  signupRequest,
} from "../../../shared/auth.ts";
import { publicUser, tokenResponse } from "../tokens.ts";

export const passwordRoutes = new Hono<AuthEnv>();

const invalidCredentials = () =>
  new AppError("unauthorized", "The email or password is incorrect.", { code: "invalid_credentials" });

function policyOrThrow(password: string, words: string[], field: string): void {
  const problem = checkPasswordPolicy(password, words);
  if (problem) throw new AppError("validation_failed", problem.message, { code: problem.code, field });
}

passwordRoutes.post("/signup", async (c) => {
  if (!config().allowSignup) {
    throw new AppError("forbidden", "Sign-up is disabled; ask your administrator for an account.", { code: "signup_disabled" });
  }
  const body = await readJson(c, signupRequest);
  policyOrThrow(body.password, [body.email, body.email.split("@")[0]!, body.organisation], "password");
  const passwordHash = await hashPassword(body.password);
  let account: privileged.AccountRow;
  try {
    account = await privileged.signupOrganisation({
      name: body.organisation,
      slug: body.slug,
      email: body.email,
      displayName: body.display_name ?? "",
      passwordHash,
    });
  } catch (err) {
    if ((err as { code?: string }).code === "23505") {
      throw new AppError("conflict", "That organisation address is taken; choose another slug.", { code: "slug_taken", field: "slug" });
    }
    throw err;
  }
  const client = clientInfo(c);
  const session = await privileged.createSession(account, "password", client);
  await privileged.auditUnauthenticated({
    tenantId: account.tenant_id, action: "auth.signup", targetType: "user", targetId: account.id,
    actorId: account.id, actorEmail: account.email, ...client,
  });
  return c.json(await tokenResponse(account, session.sessionId, session.refreshToken), 201);
});

passwordRoutes.post("/login", async (c) => {
  const body = await readJson(c, loginRequest);
  const client = clientInfo(c);
  const accountKey = `${body.tenant ?? "*"}:${body.email}`;
  const wait = await privileged.loginThrottle(accountKey, client.ip);
  if (wait > 0) {
    throw new AppError("rate_limited", `Too many failed sign-ins; try again in ${wait} seconds.`, {
      code: "too_many_attempts",
      headers: { "retry-after": String(wait) },
    });
  }
  const candidates = await privileged.loginCandidates(body.email, body.tenant);
  let account: privileged.AccountRow | undefined;
  if (candidates.length === 0) {
    await burnPasswordCheck(body.password);
  } else {
    for (const candidate of candidates) {
      if (await verifyPassword(body.password, candidate.password_hash)) {
        if (account) throw new AppError("validation_failed", "This email belongs to several organisations; name one in `tenant`.", { code: "tenant_required", field: "tenant" });
        account = candidate;
      }
    }
  }
  await privileged.recordLoginAttempt(accountKey, client.ip, Boolean(account));
  if (!account) {
    for (const candidate of candidates) {
      await privileged.auditUnauthenticated({
        tenantId: candidate.tenant_id, action: "auth.login_failed", targetType: "user", targetId: candidate.id,
        actorEmail: body.email, ...client,
      });
    }
    throw invalidCredentials();
  }
  const session = await privileged.createSession(account, "password", client);
  await privileged.auditUnauthenticated({
    tenantId: account.tenant_id, action: "auth.login", targetType: "session", targetId: session.sessionId,
    actorId: account.id, actorEmail: account.email, ...client,
  });
  return c.json(await tokenResponse(account, session.sessionId, session.refreshToken));
});

passwordRoutes.post("/refresh", async (c) => {
  const body = await readJson(c, refreshRequest);
  const outcome = await privileged.rotateRefreshToken(body.refresh_token);
  if (outcome.kind === "reused") {
    await privileged.auditUnauthenticated({
      tenantId: outcome.tenantId, action: "auth.refresh_reuse_detected", targetType: "session",
      targetId: outcome.sessionId, actorId: outcome.userId, ...clientInfo(c),
    });
    throw new AppError("unauthorized", "This refresh token was already used; the session has been ended. Sign in again.", {
      code: "refresh_token_reused",
    });
  }
  if (outcome.kind === "invalid") {
    throw new AppError("unauthorized", "The refresh token is not valid; sign in again.", { code: "invalid_refresh_token" });
  }
  return c.json(await tokenResponse(outcome.account, outcome.sessionId, outcome.refreshToken));
});

passwordRoutes.post("/logout", requireAuth(), async (c) => {
  if (c.req.header("content-type")) await readJson(c, logoutRequest);
  const claims = c.var.claims;
  await userTx(c, async (tx) => {
    await tx`update public.sessions set revoked_at = now(), revoked_reason = 'logout' where id = ${claims.sid}`;
    await audit(tx, { tenantId: claims.tenant_id, action: "auth.logout", targetType: "session", targetId: claims.sid, ...clientInfo(c) });
  });
  return c.body(null, 204);
});

passwordRoutes.get("/me", requireAuth(), async (c) => {
  const claims = c.var.claims;
  const me = await userTx(c, async (tx) => {
    const [row] = await tx<{ id: string; email: string; display_name: string; role: privileged.AccountRow["role"];
      tenant_id: string; tenant_slug: string; tenant_name: string; superadmin: boolean; last_login_at: Date | null }[]>`
      select u.id, u.email, u.display_name, u.role, u.tenant_id, t.slug as tenant_slug, t.name as tenant_name,
             u.superadmin, u.last_login_at
      from public.users u join public.tenants t on t.id = u.tenant_id where u.id = ${claims.sub}`;
    return row;
  });
  if (!me) throw new AppError("not_found", "Your account no longer exists.");
  return c.json({
    user: publicUser({ ...me, password_hash: null }),
    tenant: { id: me.tenant_id, slug: me.tenant_slug, name: me.tenant_name },
    last_login_at: me.last_login_at,
  });
});

passwordRoutes.post("/password", requireAuth(), async (c) => {
  const body = await readJson(c, passwordChangeRequest);
  const claims = c.var.claims;
  // Confirms the session is live before touching the password.
  await userTx(c, async () => {});
  const current = await privileged.passwordHashOf(claims.sub);
  if (!(await verifyPassword(body.current_password, current))) {
    throw new AppError("validation_failed", "The current password is incorrect.", {
      code: "invalid_current_password",
      field: "current_password",
    });
  }
  policyOrThrow(body.new_password, [claims.email, claims.email.split("@")[0]!], "new_password");
  await privileged.setPassword(claims.sub, await hashPassword(body.new_password));
  const ended = await privileged.revokeSessions(claims.sub, "password_changed", claims.sid);
  await userTx(c, (tx) =>
    audit(tx, { tenantId: claims.tenant_id, action: "auth.password_changed", targetType: "user", targetId: claims.sub,
      details: { other_sessions_ended: ended }, ...clientInfo(c) }),
  );
  return c.json({ other_sessions_ended: ended });
});
