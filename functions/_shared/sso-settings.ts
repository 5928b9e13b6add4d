// Where SSO sends people back, and which issuers may be configured, shared by the auth routes
// and the admin settings so both use one redirect URI and one issuer rule.
import { config } from "./config.ts";
import { AppError } from "./errors.ts";

export function ssoRedirectUri(): string {
  const base = config().publicUrl;
  if (!base) throw new AppError("internal_error", "SSO needs ATRIUM_PUBLIC_URL (or SUPABASE_URL) to be set.");
  return `${base.replace(/\/$/, "")}/functions/v1/auth/sso/callback`;
}

export function webAppUrl(): string {
  const { webUrl, publicUrl } = config();
  return (webUrl ?? publicUrl ?? "").replace(/\/$/, "");
}

/** http issuers only on loopback outside production (the local stack and tests). */
export function allowHttpLoopback(): boolean {
  return config().environment !== "production";
}

export function assertIssuerAllowed(issuer: string): void {
  const u = new URL(issuer);
  const loopback = ["127.0.0.1", "localhost", "[::1]"].includes(u.hostname);
  if (u.protocol === "https:" || (loopback && allowHttpLoopback())) return;
  throw new AppError("validation_failed", "issuer: must be an https URL", { field: "issuer" });
}
