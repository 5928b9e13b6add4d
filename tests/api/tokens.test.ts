// Forged and stale access tokens against GET /auth/me: only an HS256 token signed with the
// stack's secret, for the right issuer and audience, unexpired (30 s tolerance), naming a live
// session of its own user and tenant, gets in.
import { exportSPKI, generateKeyPair, type JWTPayload, SignJWT, UnsecuredJWT } from "jose";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { errorCatalog, type ErrorFamily } from "../../shared/errors.ts";
import { type Persona, signupOwner } from "../support/personas.ts";
import { api, type ApiResponse, errorCode } from "../support/stack.ts";

const env = inject("stackEnv");
const secret = new TextEncoder().encode(env.JWT_SECRET);
const issuer = env.JWT_ISSUER ?? "atrium";
const audience = "authenticated";
const now = () => Math.floor(Date.now() / 1000);
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");

let ada: Persona; // owner of Acme
let bob: Persona; // owner of Globex

beforeAll(async () => {
  [ada, bob] = await Promise.all([signupOwner("Acme", "ada"), signupOwner("Globex", "bob")]);
});

/** The claims of a persona's real token, as the server signs them. */
function claimsOf(p: Persona): JWTPayload {
  const payload = JSON.parse(Buffer.from(p.token.split(".")[1]!, "base64url").toString()) as JWTPayload;
  return { sub: p.id, tenant_id: p.tenantId, app_role: p.role, sid: payload.sid, email: p.email, role: "authenticated" };
}

interface Signing {
  iss?: string | null;
  aud?: string | null;
  iat?: number;
  exp?: number;
  key?: Uint8Array;
}

/** An HS256 token like the server's; each option replaces one part of it (null: leave it out). */
async function forge(payload: JWTPayload, o: Signing = {}): Promise<string> {
  const jwt = new SignJWT(payload).setProtectedHeader({ alg: "HS256", typ: "JWT" });
  if (o.iss !== null) jwt.setIssuer(o.iss ?? issuer);
  if (o.aud !== null) jwt.setAudience(o.aud ?? audience);
  jwt.setIssuedAt(o.iat ?? now());
  jwt.setExpirationTime(o.exp ?? now() + 900);
  return jwt.sign(o.key ?? secret);
}

async function me(token: string): Promise<ApiResponse> {
  return api("/auth/me", { token });
}

function expectRefused(res: ApiResponse, family: ErrorFamily, code: string): void {
  expect({ status: res.status, code: errorCode(res) }).toEqual({ status: errorCatalog[family].status, code });
  expect(res.body).toMatchObject({ error: { type: errorCatalog[family].type } });
}

describe("a token forged the right way", () => {
  it("is accepted (the control for every refusal below)", async () => {
    const res = await me(await forge(claimsOf(ada)));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ user: { id: ada.id } });
  });
});

describe("forged signatures", () => {
  it("alg none is refused", async () => {
    const unsigned = new UnsecuredJWT(claimsOf(ada)).setIssuer(issuer).setAudience(audience).setIssuedAt()
      .setExpirationTime("15m").encode();
    expectRefused(await me(unsigned), "invalid_token", "invalid_token");
    // Spelled otherwise, and with the real token's payload and signature kept.
    const [, payload, signature] = ada.token.split(".");
    for (const alg of ["none", "None", "NONE", "nOnE"]) {
      expectRefused(await me(`${b64({ alg, typ: "JWT" })}.${payload}.`), "invalid_token", "invalid_token");
      expectRefused(await me(`${b64({ alg, typ: "JWT" })}.${payload}.${signature}`), "invalid_token", "invalid_token");
    }
  });

  it("HS256 with another key is refused", async () => {
    const other = new TextEncoder().encode(`${env.JWT_SECRET}x`);
    expectRefused(await me(await forge(claimsOf(ada), { key: other })), "invalid_token", "invalid_token");
    expectRefused(await me(await forge(claimsOf(ada), { key: new TextEncoder().encode("secret".repeat(8)) })), "invalid_token", "invalid_token");
  });

  it("RS256, and HS256 keyed with the RSA public key (algorithm confusion), are refused", async () => {
    const { privateKey, publicKey } = await generateKeyPair("RS256", { extractable: true });
    const rs = await new SignJWT(claimsOf(ada)).setProtectedHeader({ alg: "RS256", typ: "JWT" }).setIssuer(issuer)
      .setAudience(audience).setIssuedAt().setExpirationTime("15m").sign(privateKey);
    expectRefused(await me(rs), "invalid_token", "invalid_token");
    const pem = await exportSPKI(publicKey);
    expectRefused(await me(await forge(claimsOf(ada), { key: new TextEncoder().encode(pem) })), "invalid_token", "invalid_token");
  });

  it("HS384/HS512 with the right secret are refused (alg pinned)", async () => {
    for (const alg of ["HS384", "HS512"]) {
      const token = await new SignJWT(claimsOf(ada)).setProtectedHeader({ alg, typ: "JWT" }).setIssuer(issuer)
        .setAudience(audience).setIssuedAt().setExpirationTime("15m").sign(secret);
      expectRefused(await me(token), "invalid_token", "invalid_token");
    }
  });

  it("a real token with a changed payload is refused", async () => {
    const [header, , signature] = ada.token.split(".");
    const tampered = `${header}.${b64({ ...claimsOf(ada), iss: issuer, aud: audience, iat: now(), exp: now() + 900, tenant_id: bob.tenantId })}.${signature}`;
    expectRefused(await me(tampered), "invalid_token", "invalid_token");
  });

  it("garbage is refused", async () => {
    for (const token of ["x", "a.b.c", `${ada.token}x`, ada.token.split(".").slice(0, 2).join(".")]) {
      expectRefused(await me(token), "invalid_token", "invalid_token");
    }
  });
});

describe("time", () => {
  it("expired beyond the 30 s tolerance answers token_expired", async () => {
    const res = await me(await forge(claimsOf(ada), { iat: now() - 600, exp: now() - 60 }));
    expectRefused(res, "invalid_token", "token_expired");
  });

  it("expired within the tolerance is accepted", async () => {
    const res = await me(await forge(claimsOf(ada), { iat: now() - 600, exp: now() - 10 }));
    expect(res.status).toBe(200);
  });

  it("issued longer ago than the token lifetime is refused, whatever exp says", async () => {
    const res = await me(await forge(claimsOf(ada), { iat: now() - 3600, exp: now() + 600 }));
    expect(res.status).toBe(errorCatalog.invalid_token.status);
  });
});

describe("claims", () => {
  it("a wrong or missing audience is refused", async () => {
    for (const aud of ["anon", "service_role", "Authenticated"]) {
      expectRefused(await me(await forge(claimsOf(ada), { aud })), "invalid_token", "invalid_token");
    }
    expectRefused(await me(await forge(claimsOf(ada), { aud: null })), "invalid_token", "invalid_token");
  });

  it("a wrong or missing issuer is refused", async () => {
    for (const iss of ["supabase", `${issuer}x`, "https://evil.example.test"]) {
      expectRefused(await me(await forge(claimsOf(ada), { iss })), "invalid_token", "invalid_token");
    }
    expectRefused(await me(await forge(claimsOf(ada), { iss: null })), "invalid_token", "invalid_token");
  });

  it("a missing or malformed sid, sub, tenant_id, app_role or role is refused", async () => {
    const base = claimsOf(ada);
    const variants: JWTPayload[] = [
      { ...base, sid: undefined },
      { ...base, sid: "not-a-uuid" },
      { ...base, sub: undefined },
      { ...base, tenant_id: undefined },
      { ...base, app_role: "superowner" },
      { ...base, role: "service_role" },
    ];
    for (const payload of variants) {
      expectRefused(await me(await forge(payload)), "invalid_token", "invalid_token");
    }
  });
});

describe("sessions", () => {
  it("an otherwise valid token for a revoked session answers session_revoked", async () => {
    const anna = await signupOwner("Acme", "anna");
    expect((await api("/auth/logout", { token: anna.token, method: "POST" })).status).toBe(204);
    expectRefused(await me(await forge(claimsOf(anna))), "unauthorized", "session_revoked");
  });

  it("a valid signature does not let a token borrow another user's session or tenant", async () => {
    // Someone holding the secret could do anything; these pin that the session check binds all three.
    const bobSid = claimsOf(bob).sid;
    expectRefused(await me(await forge({ ...claimsOf(ada), sid: bobSid })), "unauthorized", "session_revoked");
    expectRefused(await me(await forge({ ...claimsOf(ada), tenant_id: bob.tenantId })), "unauthorized", "session_revoked");
    expectRefused(await me(await forge({ ...claimsOf(ada), sub: bob.id })), "unauthorized", "session_revoked");
  });

  it("no token, or another scheme, is unauthorized", async () => {
    expectRefused(await api("/auth/me"), "unauthorized", "unauthorized");
    expectRefused(await api("/auth/me", { headers: { authorization: `Basic ${ada.token}` } }), "unauthorized", "unauthorized");
    expectRefused(await api("/auth/me", { headers: { authorization: "Bearer" } }), "unauthorized", "unauthorized");
  });
});
