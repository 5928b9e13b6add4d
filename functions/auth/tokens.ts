// Turns a verified account and session into the token response every sign-in path returns.
import type { AccountRow } from "../_shared/privileged.ts";
import { signAccessToken } from "../_shared/tokens.ts";
import type { PublicUser, TokenResponse } from "../../shared/auth.ts";

export function publicUser(a: AccountRow): PublicUser {
  return {
    id: a.id,
    email: a.email,
    display_name: a.display_name,
    role: a.role,
    tenant_id: a.tenant_id,
    tenant_slug: a.tenant_slug,
    superadmin: a.superadmin,
  };
}

export async function tokenResponse(a: AccountRow, sessionId: string, refreshToken: string): Promise<TokenResponse> {
  const { token, expiresIn } = await signAccessToken({
    sub: a.id,
    tenant_id: a.tenant_id,
    app_role: a.role,
    sid: sessionId,
    email: a.email,
    ...(a.superadmin ? { superadmin: true } : {}),
  });
  return { access_token: token, token_type: "bearer", expires_in: expiresIn, refresh_token: refreshToken, user: publicUser(a) };
}
