import { afterEach, describe, expect, it, vi } from "vitest";
import { COMMON_PASSWORDS } from "../../functions/_shared/common-passwords.ts";
import {
  MAX_PASSWORD_INPUT_UNITS,
  PASSWORD_MAX_LENGTH,
  PASSWORD_MIN_LENGTH,
  PBKDF2_ITERATIONS,
  burnPasswordCheck,
  checkPasswordPolicy,
  formatPasswordHash,
  hashPassword,
  isCommonPassword,
  needsRehash,
  normalizePassword,
  parsePasswordHash,
  verifyPassword,
} from "../../functions/_shared/password.ts";

// Tests about format and bytes use few iterations (verification honours the stored count);
// those about cost use the real default.
const FAST = { iterations: 1_000 };
const GOOD = "zq8#Lm2v!tide-Orbit";
const STORED_RE = /^\$pbkdf2-sha256\$i=(\d+)\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$/;

afterEach(() => {
  vi.restoreAllMocks();
});

describe("hashPassword / verifyPassword", () => {
  it("round-trips with the default parameters and refuses a wrong password", async () => {
    expect(PBKDF2_ITERATIONS).toBeGreaterThanOrEqual(600_000);
    const stored = await hashPassword(GOOD);
    const m = STORED_RE.exec(stored);
    expect(m).not.toBeNull();
    expect(Number(m![1])).toBe(PBKDF2_ITERATIONS);
    expect(await verifyPassword(GOOD, stored)).toBe(true);
    expect(await verifyPassword(GOOD + "x", stored)).toBe(false);
    expect(await verifyPassword(GOOD.toUpperCase(), stored)).toBe(false); // case-sensitive
    expect(needsRehash(stored)).toBe(false);
  });

  it("uses a fresh salt each time", async () => {
    const a = await hashPassword(GOOD, FAST);
    const b = await hashPassword(GOOD, FAST);
    expect(a).not.toBe(b);
    expect(parsePasswordHash(a)!.salt).not.toEqual(parsePasswordHash(b)!.salt);
    expect(await verifyPassword(GOOD, a)).toBe(true);
    expect(await verifyPassword(GOOD, b)).toBe(true);
  });

  it("stores a parsable, self-describing string", async () => {
    const stored = await hashPassword(GOOD, FAST);
    const parsed = parsePasswordHash(stored);
    expect(parsed).not.toBeNull();
    expect(parsed!.algorithm).toBe("pbkdf2-sha256");
    expect(parsed!.iterations).toBe(1_000);
    expect(parsed!.salt.length).toBe(16);
    expect(parsed!.hash.length).toBe(32);
    expect(formatPasswordHash(parsed!)).toBe(stored);
    expect(stored.split("$").slice(3).join("$")).not.toContain("="); // PHC: base64 without padding
  });

  it.each([72, 73, 128])("does not truncate: %i-character passwords differing only in the last character", async (n) => {
    const a = "a".repeat(n - 1) + "b";
    const b = "a".repeat(n - 1) + "c";
    const stored = await hashPassword(a, FAST);
    expect(await verifyPassword(a, stored)).toBe(true);
    expect(await verifyPassword(b, stored)).toBe(false);
    expect(await verifyPassword(a.slice(0, -1), stored)).toBe(false);
    expect(await verifyPassword(a.slice(0, 72), stored)).toBe(n === 72);
  });

  it("does not truncate multi-byte passwords (128 emoji = 512 UTF-8 bytes)", async () => {
    const a = "😀".repeat(127) + "😁";
    const b = "😀".repeat(128);
    const stored = await hashPassword(a, FAST);
    expect(await verifyPassword(a, stored)).toBe(true);
    expect(await verifyPassword(b, stored)).toBe(false);
  });

  it("normalises to NFKC, so equivalent spellings verify", async () => {
    const composed = "caf\u00e9-Orbit-42"; // é precomposed
    const decomposed = "cafe\u0301-Orbit-42"; // e + combining acute
    const fullWidth = "ｃａｆ\u00e9－Ｏｒｂｉｔ－４２"; // full-width forms from a CJK IME
    expect(normalizePassword(decomposed)).toBe(composed);
    const stored = await hashPassword(decomposed, FAST);
    expect(await verifyPassword(composed, stored)).toBe(true);
    expect(await verifyPassword(fullWidth, stored)).toBe(true);
    expect(await verifyPassword("cafe-Orbit-42", stored)).toBe(false);
  });

  it("verifies older hashes with fewer iterations and flags them for rehash", async () => {
    const old = await hashPassword(GOOD, FAST);
    expect(await verifyPassword(GOOD, old)).toBe(true);
    expect(needsRehash(old)).toBe(true);
    expect(needsRehash("garbage")).toBe(true);
  });

  it("refuses to hash empty or over-long input and bad iteration counts", async () => {
    await expect(hashPassword("")).rejects.toThrow(RangeError);
    await expect(hashPassword("a".repeat(MAX_PASSWORD_INPUT_UNITS + 1), FAST)).rejects.toThrow(RangeError);
    await expect(hashPassword(GOOD, { iterations: 0 })).rejects.toThrow(RangeError);
    await expect(hashPassword(GOOD, { iterations: 1.5 })).rejects.toThrow(RangeError);
  });
});

describe("tampered or malformed stored strings", () => {
  it("are refused without throwing", async () => {
    const stored = await hashPassword(GOOD, FAST);
    const [, , params, salt, hash] = stored.split("$") as [string, string, string, string, string];
    const flipped = (hash[0] === "A" ? "B" : "A") + hash.slice(1);
    // 32 bytes = 43 base64 chars whose last one carries 2 unused (zero) bits: set one of them.
    const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    const nonCanonical = hash.slice(0, -1) + alphabet[alphabet.indexOf(hash.slice(-1)) | 1];
    const variants = [
      "",
      "garbage",
      "$pbkdf2-sha256$",
      `$pbkdf2-sha512$${params}$${salt}$${hash}`,
      `$pbkdf2-sha256$i=0$${salt}$${hash}`,
      `$pbkdf2-sha256$i=01000$${salt}$${hash}`,
      `$pbkdf2-sha256$i=-1$${salt}$${hash}`,
      `$pbkdf2-sha256$i=abc$${salt}$${hash}`,
      `$pbkdf2-sha256$i=999999999$${salt}$${hash}`, // absurd cost: refused, not attempted
      `$pbkdf2-sha256$${salt}$${hash}`,
      `$pbkdf2-sha256$${params}$${salt}$${hash}$extra`,
      `pbkdf2-sha256$${params}$${salt}$${hash}`,
      `$pbkdf2-sha256$${params}$${salt}==$${hash}`,
      `$pbkdf2-sha256$${params}$${salt}$${hash}=`,
      `$pbkdf2-sha256$${params}$${salt.replace(/./, "!")}$${hash}`,
      `$pbkdf2-sha256$${params}$${salt.slice(0, 5)}$${hash}`, // too short a salt
      `$pbkdf2-sha256$${params}$${salt}$${hash.slice(0, 10)}`, // too short a hash
      `$pbkdf2-sha256$${params}$${salt}$${nonCanonical}`, // not canonical base64
      `$pbkdf2-sha256$${params}$ ${salt}$${hash}`,
      stored + "\n",
    ];
    for (const v of variants) {
      expect(parsePasswordHash(v), v).toBeNull();
      expect(await verifyPassword(GOOD, v), v).toBe(false);
    }
    // Well-formed but altered: parses, does not verify.
    const altered = `$pbkdf2-sha256$${params}$${salt}$${flipped}`;
    expect(parsePasswordHash(altered)).not.toBeNull();
    expect(await verifyPassword(GOOD, altered)).toBe(false);
    const moreIterations = `$pbkdf2-sha256$i=1001$${salt}$${hash}`;
    expect(await verifyPassword(GOOD, moreIterations)).toBe(false);
  });

  it("treats a missing hash (null / undefined) as no match", async () => {
    expect(await verifyPassword(GOOD, null)).toBe(false);
    expect(await verifyPassword(GOOD, undefined)).toBe(false);
  });
});

describe("equal work on every failure path", () => {
  function spyDerive() {
    return vi.spyOn(crypto.subtle, "deriveBits");
  }
  const fullWork = { name: "PBKDF2", hash: "SHA-256", iterations: PBKDF2_ITERATIONS };

  it("burnPasswordCheck runs one PBKDF2 at the current parameters", async () => {
    const spy = spyDerive();
    await burnPasswordCheck(GOOD);
    await burnPasswordCheck();
    await burnPasswordCheck("x".repeat(MAX_PASSWORD_INPUT_UNITS + 1));
    expect(spy).toHaveBeenCalledTimes(3);
    for (const call of spy.mock.calls) {
      expect(call[0]).toMatchObject(fullWork);
      expect(call[2]).toBe(256);
    }
  });

  it("verifyPassword burns the same work for a missing or bad hash and for over-long input", async () => {
    const stored = await hashPassword(GOOD, FAST);
    const spy = spyDerive();
    expect(await verifyPassword(GOOD, null)).toBe(false);
    expect(await verifyPassword(GOOD, "$pbkdf2-sha256$nope")).toBe(false);
    expect(await verifyPassword("a".repeat(MAX_PASSWORD_INPUT_UNITS + 1), stored)).toBe(false);
    expect(await verifyPassword("", stored)).toBe(false);
    expect(spy).toHaveBeenCalledTimes(4);
    for (const call of spy.mock.calls) {
      expect(call[0]).toMatchObject(fullWork);
      expect(call[2]).toBe(256);
    }
  });
});

describe("checkPasswordPolicy", () => {
  it("accepts 8 to 128 code points", () => {
    expect(PASSWORD_MIN_LENGTH).toBe(8);
    expect(PASSWORD_MAX_LENGTH).toBe(128);
    expect(checkPasswordPolicy("zq8#Lm2v")).toBeNull();
    expect(checkPasswordPolicy("zq8#Lm2v".repeat(16))).toBeNull(); // 128
  });

  it("refuses 7 and 129 code points", () => {
    expect(checkPasswordPolicy("zq8#Lm2")?.code).toBe("password_too_short");
    expect(checkPasswordPolicy("")?.code).toBe("password_too_short");
    expect(checkPasswordPolicy("zq8#Lm2v".repeat(16) + "x")?.code).toBe("password_too_long");
    const tooLong = checkPasswordPolicy("x".repeat(129));
    expect(tooLong).toEqual({ code: "password_too_long", message: expect.stringContaining("128") });
  });

  it("counts an emoji as one character, not two UTF-16 units", () => {
    expect("😀".repeat(7).length).toBe(14);
    expect(checkPasswordPolicy("😀".repeat(7))?.code).toBe("password_too_short");
    expect(checkPasswordPolicy("😀".repeat(8))).toBeNull();
    expect(checkPasswordPolicy("abcdefg😀")).toBeNull(); // 7 + 1
    expect(checkPasswordPolicy("😀".repeat(128))).toBeNull(); // 256 UTF-16 units
    expect(checkPasswordPolicy("😀".repeat(129))?.code).toBe("password_too_long");
  });

  it("counts after NFKC normalisation", () => {
    // 8 code points typed, 4 after composition (e + combining acute -> é).
    expect(checkPasswordPolicy("e\u0301".repeat(4))?.code).toBe("password_too_short");
  });

  it("refuses huge input without normalising it", () => {
    expect(checkPasswordPolicy("x".repeat(1_000_000))?.code).toBe("password_too_long");
  });

  it("refuses common passwords, case-insensitively and in any Unicode width", () => {
    for (const pw of ["password", "PASSWORD", "Password123", "admin123", "iloveyou1", "ｐａｓｓｗｏｒｄ"]) {
      const err = checkPasswordPolicy(pw);
      expect(err?.code, pw).toBe("password_common");
      expect(err?.message, pw).toMatch(/common/i);
      expect(isCommonPassword(pw), pw).toBe(true);
    }
    expect(isCommonPassword(GOOD)).toBe(false);
    expect(checkPasswordPolicy("correct horse battery staple")).toBeNull();
  });

  it("refuses control characters and unpaired surrogates", () => {
    expect(checkPasswordPolicy("zq8#Lm2v\u0000")?.code).toBe("password_invalid_characters");
    expect(checkPasswordPolicy("zq8#\nLm2v")?.code).toBe("password_invalid_characters");
    expect(checkPasswordPolicy("zq8#Lm2v\ud800")?.code).toBe("password_invalid_characters");
    expect(checkPasswordPolicy("zq8 #Lm2v ")).toBeNull(); // spaces are fine
  });

  it("refuses the account's own email, its local part or name", () => {
    const words = ["Jane.Doe2024@example.com", "Jane Doe Smith"];
    expect(checkPasswordPolicy("jane.doe2024@example.com", words)?.code).toBe("password_matches_account");
    expect(checkPasswordPolicy("JANE.DOE2024", words)?.code).toBe("password_matches_account");
    expect(checkPasswordPolicy("jane doe smith", words)?.code).toBe("password_matches_account");
    expect(checkPasswordPolicy("jane.doe2024!", words)).toBeNull();
  });
});

describe("common-passwords data", () => {
  it("holds ~10 000 lower-cased NFKC entries of policy length", () => {
    expect(COMMON_PASSWORDS.size).toBe(10_000);
    for (const w of COMMON_PASSWORDS) {
      expect(w).toBe(w.normalize("NFKC").toLowerCase());
      const n = [...w].length;
      expect(n >= PASSWORD_MIN_LENGTH && n <= PASSWORD_MAX_LENGTH, w).toBe(true);
    }
    expect(COMMON_PASSWORDS.has("password")).toBe(true);
    expect(COMMON_PASSWORDS.has("")).toBe(false);
  });
});
