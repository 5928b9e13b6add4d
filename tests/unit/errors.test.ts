// Everything thrown becomes the one error shape; database text never reaches the client.
import { describe, expect, it } from "vitest";
import { AppError, toAppError } from "../../functions/_shared/errors.ts";
import { configure } from "../../functions/_shared/config.ts";

describe("toAppError", () => {
  it("passes our own SQL raises through with their code and public message", () => {
    const e = toAppError({ code: "AT409", hint: "last_owner", message: "The last owner cannot be removed." });
    expect(e.body()).toEqual({
      error: { type: "conflict_error", code: "last_owner", message: "The last owner cannot be removed." },
    });
    expect(e.status).toBe(409);
  });

  it("answers a lost database with 503 and Retry-After, without its text", async () => {
    const e = toAppError({ code: "ECONNREFUSED", message: "connect ECONNREFUSED 10.0.0.5:5432" });
    expect(e.status).toBe(503);
    expect(e.headers["retry-after"]).toBe("5");
    expect(JSON.stringify(e.body())).not.toContain("10.0.0.5");
  });

  it("answers unknown errors with a generic 500", () => {
    const e = toAppError(new Error('relation "secret_table" does not exist'));
    expect(e.status).toBe(500);
    expect(e.message).not.toContain("secret_table");
  });

  it("keeps an AppError as it is", () => {
    const original = new AppError("forbidden", "No.", { code: "readonly_role" });
    expect(toAppError(original)).toBe(original);
    expect(original.body().error.code).toBe("readonly_role");
  });
});

const secrets = { JWT_SECRET: "x".repeat(32), ENCRYPTION_KEYS: `1:${"A".repeat(43)}=` };

describe("configure", () => {
  it("names the variable that is wrong", () => {
    expect(() => configure({ ...secrets, DATABASE_URL: "not a url" })).toThrow(/DATABASE_URL or SUPABASE_DB_URL/);
    expect(() => configure({ ...secrets, DATABASE_URL: "postgres://x@h/db", DB_POOL_MAX: "0" })).toThrow(/DB_POOL_MAX/);
    expect(() => configure({ ...secrets, DATABASE_URL: "postgres://x@h/db", JWT_SECRET: "short" })).toThrow(/JWT_SECRET/);
  });

  it("falls back to SUPABASE_DB_URL", () => {
    expect(configure({ ...secrets, SUPABASE_DB_URL: "postgres://x@h/db" }).databaseUrl).toBe("postgres://x@h/db");
  });
});
