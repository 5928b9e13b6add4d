// Password sign-in and sessions over HTTP against the real stack: signup, login, throttling,
// refresh rotation and reuse, logout, password change, and the audit rows they leave.
import { describe, expect, it } from "vitest";
import type { TokenResponse } from "../../shared/auth.ts";
import { addUser, login, signupOwner, strongPassword } from "../support/personas.ts";
import { api, errorCode, rootSql } from "../support/stack.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("signup", () => {
  it("creates an organisation and its owner, and refuses a taken slug", async () => {
    const ada = await signupOwner("Acme", "ada");
    expect(ada.role).toBe("owner");
    const again = await api("/auth/signup", {
      json: { organisation: "Acme 2", slug: ada.tenantSlug, email: "x@acme2.test", password: strongPassword() },
    });
    expect(again.status).toBe(409);
    expect(errorCode(again)).toBe("slug_taken");
  });

  it("refuses common and short passwords, naming the rule", async () => {
    for (const [password, code] of [["password123", "password_common"], ["Ab1!", "password_too_short"]] as const) {
      const res = await api("/auth/signup", {
        json: { organisation: "Weak", slug: `weak-${Date.now()}`, email: "w@weak.test", password },
      });
      expect(res.status).toBe(400);
      expect(errorCode(res)).toBe(code);
    }
  });
});

describe("login", () => {
  it("returns tokens and the user; /me answers with them", async () => {
    const ada = await signupOwner("Acme", "ada");
    const res = await api<TokenResponse>("/auth/login", { json: { email: ada.email, password: ada.password } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ token_type: "bearer", expires_in: 900, user: { email: ada.email, role: "owner" } });
    expect(res.body.refresh_token).toMatch(/^atr_rt_[A-Za-z0-9_-]{43}$/);
    const me = await api<{ user: { id: string } }>("/auth/me", { token: res.body.access_token });
    expect(me.status).toBe(200);
    expect(me.body.user.id).toBe(ada.id);
  });

  it("answers an unknown email and a wrong password with the same status and body", async () => {
    const ada = await signupOwner("Acme", "ada");
    const wrong = await api("/auth/login", { json: { email: ada.email, password: "not-the-password-1" } });
    const unknown = await api("/auth/login", { json: { email: `nobody-${ada.email}`, password: "not-the-password-1" } });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.text).toBe(unknown.text);
  });

  it("throttles an account after repeated failures with 429 and Retry-After, even for the right password", async () => {
    const ada = await signupOwner("Acme", "ada");
    for (let i = 0; i < 5; i++) {
      expect((await api("/auth/login", { json: { email: ada.email, password: `wrong-${i}-password` } })).status).toBe(401);
    }
    const locked = await api("/auth/login", { json: { email: ada.email, password: ada.password } });
    expect(locked.status).toBe(429);
    expect(errorCode(locked)).toBe("too_many_attempts");
    expect(Number(locked.headers.get("retry-after"))).toBeGreaterThan(0);
  });

  it("picks the tenant by slug when one email belongs to two organisations", async () => {
    const ada = await signupOwner("Acme", "ada");
    const globex = await signupOwner("Globex", "bob");
    const twin = await api("/admin/users", {
      token: globex.token,
      json: { email: ada.email, role: "member", password: ada.password },
    });
    expect(twin.status).toBe(201);
    const inGlobex = await login(ada.email, ada.password, globex.tenantSlug);
    expect(inGlobex.tenantId).toBe(globex.tenantId);
    const ambiguous = await api("/auth/login", { json: { email: ada.email, password: ada.password } });
    expect(errorCode(ambiguous)).toBe("tenant_required");
  });
});

describe("refresh tokens", () => {
  it("rotate: the new one works, and the access token carries the current role", async () => {
    const ada = await signupOwner("Acme", "ada");
    const res = await api<TokenResponse>("/auth/refresh", { json: { refresh_token: ada.refresh } });
    expect(res.status).toBe(200);
    expect(res.body.refresh_token).not.toBe(ada.refresh);
    const next = await api<TokenResponse>("/auth/refresh", { json: { refresh_token: res.body.refresh_token } });
    expect(next.status).toBe(200);
  });

  it("two concurrent refreshes inside the leeway both succeed with the same successor", async () => {
    const ada = await signupOwner("Acme", "ada");
    const [a, b] = await Promise.all([
      api<TokenResponse>("/auth/refresh", { json: { refresh_token: ada.refresh } }),
      api<TokenResponse>("/auth/refresh", { json: { refresh_token: ada.refresh } }),
    ]);
    expect([a.status, b.status]).toEqual([200, 200]);
    expect(a.body.refresh_token).toBe(b.body.refresh_token);
    expect((await api("/auth/refresh", { json: { refresh_token: a.body.refresh_token } })).status).toBe(200);
  });

  it("reuse after the leeway revokes the whole family and its access tokens", async () => {
    const ada = await signupOwner("Acme", "ada");
    const rotated = await api<TokenResponse>("/auth/refresh", { json: { refresh_token: ada.refresh } });
    await sleep(1300); // the test stack's leeway is 1 s
    const reuse = await api("/auth/refresh", { json: { refresh_token: ada.refresh } });
    expect(reuse.status).toBe(401);
    expect(errorCode(reuse)).toBe("refresh_token_reused");
    expect((await api("/auth/refresh", { json: { refresh_token: rotated.body.refresh_token } })).status).toBe(401);
    const me = await api("/auth/me", { token: rotated.body.access_token });
    expect(me.status).toBe(401);
    expect(errorCode(me)).toBe("session_revoked");
    const [row] = await rootSql()`select count(*)::int as n from public.audit_log
      where tenant_id = ${ada.tenantId} and action = 'auth.refresh_reuse_detected'`;
    expect(row?.n).toBe(1);
  });

  it("an unknown refresh token is refused", async () => {
    const res = await api("/auth/refresh", { json: { refresh_token: "atr_rt_" + "x".repeat(43) } });
    expect(res.status).toBe(401);
    expect(errorCode(res)).toBe("invalid_refresh_token");
  });
});

describe("logout and password change", () => {
  it("logout ends the session: its access token is refused at the next request", async () => {
    const ada = await signupOwner("Acme", "ada");
    expect((await api("/auth/logout", { token: ada.token, method: "POST" })).status).toBe(204);
    const me = await api("/auth/me", { token: ada.token });
    expect(me.status).toBe(401);
    expect(errorCode(me)).toBe("session_revoked");
    expect((await api("/auth/refresh", { json: { refresh_token: ada.refresh } })).status).toBe(401);
  });

  it("password change needs the current password and ends the other sessions only", async () => {
    const ada = await signupOwner("Acme", "ada");
    const laptop = await login(ada.email, ada.password);
    const wrong = await api("/auth/password", {
      token: ada.token,
      json: { current_password: "not-it-at-all", new_password: strongPassword() },
    });
    expect(wrong.status).toBe(400);
    expect(errorCode(wrong)).toBe("invalid_current_password");
    const weak = await api("/auth/password", { token: ada.token, json: { current_password: ada.password, new_password: "password1" } });
    expect(errorCode(weak)).toBe("password_common");
    const fresh = strongPassword();
    const ok = await api<{ other_sessions_ended: number }>("/auth/password", {
      token: ada.token,
      json: { current_password: ada.password, new_password: fresh },
    });
    expect(ok.status).toBe(200);
    expect(ok.body.other_sessions_ended).toBe(1);
    expect((await api("/auth/me", { token: laptop.token })).status).toBe(401);
    expect((await api("/auth/me", { token: ada.token })).status).toBe(200);
    await login(ada.email, fresh);
  });

  it("every auth event leaves an audit row with actor, ip and user agent", async () => {
    const ada = await signupOwner("Acme", "ada");
    await api("/auth/login", { json: { email: ada.email, password: "wrong-password-1" }, headers: { "user-agent": "audit-test/1" } });
    const member = await addUser(ada, "member", "mia");
    await api(`/admin/users/${member.id}`, { token: ada.token, method: "PATCH", json: { role: "readonly" } });
    await api(`/admin/users/${member.id}`, { token: ada.token, method: "PATCH", json: { active: false } });
    await api("/auth/logout", { token: ada.token, method: "POST" });
    const rows = await rootSql()<{ action: string; actor_id: string | null; ip: string | null; user_agent: string | null }[]>`
      select action, actor_id, host(ip) as ip, user_agent from public.audit_log
      where tenant_id = ${ada.tenantId} order by id`;
    expect(rows.map((r) => r.action)).toEqual([
      "auth.signup",
      "auth.login_failed",
      "user.created",
      "auth.login",
      "user.role_changed",
      "user.deactivated",
      "auth.logout",
    ]);
    expect(rows.every((r) => r.ip === "127.0.0.1")).toBe(true);
    expect(rows[1]!.user_agent).toBe("audit-test/1");
    expect(rows.at(-1)!.actor_id).toBe(ada.id);
  });
});
