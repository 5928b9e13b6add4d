// Where SSO sends people back, and which issuers may be configured, shared by the auth routes
// and the admin settings so both use one redirect URI and one issuer rule.
import { config } from "./config.ts";
import { AppError } from "./errors.ts";
import { checkUrl } from "./net-guard.ts";

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

/** Public https issuers; loopback (http too) outside production. */
export async function assertIssuerAllowed(issuer: string): Promise<void> {
  await checkUrl(issuer, { allowPrivateNetwork: false, allowLoopback: allowHttpLoopback(), field: "issuer" });
}
