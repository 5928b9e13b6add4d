// Secrets never reach a log line: by key name and by shape of the value.
import { describe, expect, it } from "vitest";
import { redact } from "../../functions/_shared/log.ts";

describe("redact", () => {
  it("removes values of secret-looking keys, but keeps token counts", () => {
    expect(
      redact({ password: "hunter22", refresh_token: "abc", apiKey: "x", input_tokens: 12, nested: { secret: 1 } }),
    ).toEqual({ password: "[redacted]", refresh_token: "[redacted]", apiKey: "[redacted]", input_tokens: 12, nested: { secret: "[redacted]" } });
  });

  it("removes keys, bearer tokens, JWTs and connection-string passwords from free text", () => {
    const text =
      "upstream said: invalid key sk-proj-abcdefghijklmnop; auth Bearer abc.def.ghi; " +
      "jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NSJ9.c2lnbmF0dXJl; db postgres://app:s3cr3t@db.example:5432/x";
    const out = String(redact(text));
    for (const leaked of ["sk-proj-abcdefghijklmnop", "abc.def.ghi", "eyJzdWIiOiIxMjM0NSJ9", "s3cr3t"]) {
      expect(out).not.toContain(leaked);
    }
    expect(out).toContain("postgres://app:[redacted]@db.example:5432/x");
  });

  it("redacts inside errors and arrays", () => {
    expect(redact([new Error("key sk-abcdefghijkl rejected")])).toEqual([
      { name: "Error", message: "key [redacted] rejected" },
    ]);
  });
});
