// Request authentication: a verified bearer access token becomes c.var.claims, and
// userTx() runs the handler's SQL under RLS after checking the session is still live.
import type { Context, MiddlewareHandler } from "hono";
import type { AppEnv } from "./app.ts";
import { type Tx, withClaims } from "./db.ts";
import { AppError } from "./errors.ts";
import { type AccessClaims, verifyAccessToken } from "./tokens.ts";

export type AuthEnv = AppEnv & { Variables: AppEnv["Variables"] & { claims: AccessClaims } };
type Role = AccessClaims["app_role"];
const rank: Record<Role, number> = { readonly: 1, member: 2, admin: 3, owner: 4 };

export function bearerToken(c: Context): string | undefined {
  const m = /^Bearer\s+(\S{1,4096})$/i.exec(c.req.header("authorization") ?? "");
  return m?.[1];
}

/** 401 unless a valid access token is presented. */
export function requireAuth(): MiddlewareHandler<AuthEnv> {
  return async (c, next) => {
    const token = bearerToken(c);
    if (!token) {
      throw new AppError("unauthorized", "Sign in first: send Authorization: Bearer <access token>.", {
        headers: { "www-authenticate": "Bearer" },
      });
    }
    c.set("claims", await verifyAccessToken(token));
    await next();
  };
}

/** True when the caller's role is at least `role` (owner > admin > member > readonly). */
export function hasRole(claims: Pick<AccessClaims, "app_role">, role: Role): boolean {
  return rank[claims.app_role] >= rank[role];
}

/** 403 unless the caller's role is at least `role`. */
export function requireRole(role: Role): MiddlewareHandler<AuthEnv> {
  return async (c, next) => {
    if (!hasRole(c.var.claims, role)) {
      throw new AppError("forbidden", `This needs the ${role} role.`, { code: "insufficient_role" });
    }
    await next();
  };
}

export function requireSuperadmin(): MiddlewareHandler<AuthEnv> {
  return async (c, next) => {
    if (!c.var.claims.superadmin) throw new AppError("forbidden", "This needs a platform superadmin.", { code: "superadmin_only" });
    await next();
  };
}

/** Run fn under RLS as the caller, after app.require_session() confirms the session is live. */
export function userTx<T>(c: Context<AuthEnv>, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return withClaims(c.var.claims, async (tx) => {
    await tx`select app.require_session()`;
    return fn(tx);
  });
}

/** Client address and agent, for audit rows and throttling. */
export function clientInfo(c: Context): { ip: string | null; userAgent: string | null } {
  const forwarded = c.req.header("x-forwarded-for")?.split(",")[0]?.trim();
  const ip = forwarded || c.req.header("x-real-ip") || null;
  return { ip: ip && /^[0-9a-fA-F:.]{2,45}$/.test(ip) ? ip : null, userAgent: c.req.header("user-agent")?.slice(0, 512) ?? null };
}
