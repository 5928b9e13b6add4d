// Access tokens: HS256 JWTs signed with JWT_SECRET (alg pinned; iss, aud checked; ≤ 30 min).
// Refresh tokens are opaque (256 bits) and stored hashed; see privileged.ts for rotation.
import { errors as joseErrors, jwtVerify, SignJWT } from "jose";
import { z } from "zod";
import { config } from "./config.ts";
import { AppError } from "./errors.ts";

export const AUDIENCE = "authenticated";
const CLOCK_TOLERANCE_S = 30;

const claimsSchema = z.object({
  sub: z.uuid(),
  tenant_id: z.uuid(),
  app_role: z.enum(["owner", "admin", "member", "readonly"]),
  sid: z.uuid(),
  email: z.string().max(254),
  superadmin: z.boolean().optional(),
  role: z.literal("authenticated"),
});
export type AccessClaims = z.infer<typeof claimsSchema>;

let key: Uint8Array<ArrayBuffer> | undefined;
const secret = () => (key ??= new TextEncoder().encode(config().jwtSecret));

export async function signAccessToken(c: Omit<AccessClaims, "role">): Promise<{ token: string; expiresIn: number }> {
  const { jwtIssuer, accessTokenTtl } = config();
  const token = await new SignJWT({ ...c, role: "authenticated" })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setIssuer(jwtIssuer)
    .setAudience(AUDIENCE)
    .setSubject(c.sub)
    .setIssuedAt()
    .setExpirationTime(`${accessTokenTtl}s`)
    .sign(secret());
  return { token, expiresIn: accessTokenTtl };
}

/** Verify an access token or throw 401 invalid_token; the claims are then what RLS sees. */
export async function verifyAccessToken(token: string): Promise<AccessClaims> {
  try {
    const { payload } = await jwtVerify(token, secret(), {
      algorithms: ["HS256"],
      issuer: config().jwtIssuer,
      audience: AUDIENCE,
      clockTolerance: CLOCK_TOLERANCE_S,
      requiredClaims: ["exp", "iat", "sub", "sid"],
      maxTokenAge: `${config().accessTokenTtl + CLOCK_TOLERANCE_S}s`,
    });
    const parsed = claimsSchema.safeParse(payload);
    if (!parsed.success) throw new AppError("invalid_token", "The access token is not valid.");
    return parsed.data;
  } catch (err) {
    if (err instanceof AppError) throw err;
    const expired = err instanceof joseErrors.JWTExpired;
    throw new AppError("invalid_token", expired ? "The access token has expired; refresh it." : "The access token is not valid.", {
      code: expired ? "token_expired" : "invalid_token",
      headers: { "www-authenticate": `Bearer error="invalid_token"` },
    });
  }
}
