// Password hashing and password policy (DESIGN.md §4, §8).
//
// Hash: PBKDF2-HMAC-SHA256, 600 000 iterations, 16-byte random salt, 32-byte key, through
// crypto.subtle only, so the same code runs under Deno (edge functions) and Node (vitest).
// Stored as a PHC-style string that names its own parameters, so the count can be raised later
// and old hashes still verify (then `needsRehash` says to re-hash at the next successful login):
//
//   $pbkdf2-sha256$i=600000$<salt>$<hash>     salt and hash in standard base64 without padding
//
// Normalisation: every password is put into Unicode NFKC before it is measured, checked or
// hashed. NIST SP 800-63B (§5.1.1.2; §3.1.1.2 in revision 4) says verifiers SHOULD normalise
// with NFKC or NFKD. NFKC rather than NFC because NFC only unifies canonically equivalent
// spellings (precomposed "é" vs "e" + combining accent), while NFKC also folds compatibility
// variants: full-width Latin letters and digits typed through a CJK input method, ligatures,
// superscripts, no-break and ideographic spaces. So the same password typed on another keyboard
// or OS still verifies, and "ｐａｓｓｗｏｒｄ" cannot slip past the common-password check; the
// few characters folded together cost negligible entropy. NFKC rather than NFKD because the
// composed form is what people count as characters. Normalisation of assigned characters is
// stable across Unicode versions, so Deno's and Node's ICU give the same bytes. Case is kept:
// passwords are case-sensitive; only the common-password comparison ignores case.
//
// No truncation: the whole UTF-8 encoding is the HMAC key (keys over 64 bytes are hashed to 32
// by HMAC itself, which keeps every byte significant). Length limits are enforced by the policy
// (8–128 code points after normalisation); verification refuses, without hashing it, only input
// longer than MAX_PASSWORD_INPUT_UNITS UTF-16 units, which no policy-conforming password reaches.
//
// Timing: `verifyPassword` does one full PBKDF2 whatever it is given (a missing or unparsable
// stored hash, an over-long password), and `burnPasswordCheck` does the same work for a user
// who does not exist, so an unknown email, an SSO-only account and a wrong password all cost the
// same. One hash (600 000 iterations) measured on a 2-vCPU AMD EPYC: ≈120 ms CPU under
// Deno 2.9 (95–145 ms), ≈245 ms under Node 20 (180–300 ms), well inside the 2 s CPU budget of
// a hosted edge function.
import { COMMON_PASSWORDS } from "./common-passwords.ts";

/** Iterations for new hashes (OWASP 2023 minimum for PBKDF2-HMAC-SHA256). */
export const PBKDF2_ITERATIONS = 600_000;
/** Policy bounds, in Unicode code points of the NFKC-normalised password. */
export const PASSWORD_MIN_LENGTH = 8;
export const PASSWORD_MAX_LENGTH = 128;
/**
 * Raw input longer than this (UTF-16 code units) is refused before any normalisation or
 * hashing, to bound the work an attacker can ask for. NFKC composes at most a handful of code
 * points into one, so 128 normalised code points never come from more than ~700 units.
 */
export const MAX_PASSWORD_INPUT_UNITS = 1024;

const ALGORITHM = "pbkdf2-sha256";
const SALT_BYTES = 16;
const KEY_BYTES = 32;
/** Limits on what a stored string may ask for, so a tampered row cannot cost unbounded CPU. */
const MAX_STORED_ITERATIONS = 5_000_000;
const MIN_STORED_SALT_BYTES = 8;
const MIN_STORED_KEY_BYTES = 16;
const MAX_STORED_BYTES = 64;

const encoder = new TextEncoder();
/** Salt and target for burnPasswordCheck; random per process, the result is thrown away. */
const BURN_SALT = crypto.getRandomValues(new Uint8Array(SALT_BYTES));
const BURN_HASH = new Uint8Array(KEY_BYTES);

export interface ParsedPasswordHash {
  algorithm: typeof ALGORITHM;
  iterations: number;
  salt: Uint8Array<ArrayBuffer>;
  hash: Uint8Array<ArrayBuffer>;
}

export interface HashPasswordOptions {
  /** Iteration count; defaults to PBKDF2_ITERATIONS. Lower only for tests and migrations. */
  iterations?: number;
}

export type PasswordPolicyCode =
  | "password_too_short"
  | "password_too_long"
  | "password_invalid_characters"
  | "password_common"
  | "password_matches_account";

export interface PasswordPolicyError {
  code: PasswordPolicyCode;
  message: string;
}

/** The form a password is measured, checked and hashed in: Unicode NFKC (see header). */
export function normalizePassword(password: string): string {
  return password.normalize("NFKC");
}

/** Hashes a password into the self-describing stored form. Does not apply the policy. */
export async function hashPassword(password: string, options: HashPasswordOptions = {}): Promise<string> {
  const iterations = options.iterations ?? PBKDF2_ITERATIONS;
  if (!Number.isSafeInteger(iterations) || iterations < 1 || iterations > MAX_STORED_ITERATIONS) {
    throw new RangeError(`iterations must be an integer in 1..${MAX_STORED_ITERATIONS}`);
  }
  if (typeof password !== "string" || password.length === 0) {
    throw new RangeError("password must be a non-empty string");
  }
  if (password.length > MAX_PASSWORD_INPUT_UNITS) {
    // verifyPassword would never accept it, so refuse to store it.
    throw new RangeError("password is too long");
  }
  const salt = crypto.getRandomValues(new Uint8Array(SALT_BYTES));
  const hash = await pbkdf2(normalizePassword(password), salt, iterations, KEY_BYTES);
  return formatPasswordHash({ algorithm: ALGORITHM, iterations, salt, hash });
}

/**
 * True when `password` matches `stored`. Never throws for bad input: a missing, malformed or
 * tampered stored string, or an over-long password, gives false after the same PBKDF2 work a
 * real check costs. Pass null/undefined for accounts without a password.
 */
export async function verifyPassword(password: string, stored: string | null | undefined): Promise<boolean> {
  const parsed = typeof stored === "string" ? parsePasswordHash(stored) : null;
  if (parsed === null || !isAcceptableInput(password)) {
    await burnPasswordCheck(password);
    return false;
  }
  const candidate = await pbkdf2(normalizePassword(password), parsed.salt, parsed.iterations, parsed.hash.length);
  return timingSafeEqual(candidate, parsed.hash);
}

/**
 * Does the work of one verification at the current parameters and discards it. Call it when
 * the user is unknown, so that path takes as long as a wrong password:
 *
 *   const ok = user ? await verifyPassword(pw, user.password_hash) : (await burnPasswordCheck(pw), false);
 */
export async function burnPasswordCheck(password?: string): Promise<void> {
  const input = password !== undefined && isAcceptableInput(password) ? normalizePassword(password) : "burn";
  const candidate = await pbkdf2(input, BURN_SALT, PBKDF2_ITERATIONS, KEY_BYTES);
  timingSafeEqual(candidate, BURN_HASH);
}

/** True when `stored` should be replaced by a fresh hash (weaker parameters, or unreadable). */
export function needsRehash(stored: string): boolean {
  const parsed = parsePasswordHash(stored);
  return (
    parsed === null ||
    parsed.iterations < PBKDF2_ITERATIONS ||
    parsed.salt.length < SALT_BYTES ||
    parsed.hash.length !== KEY_BYTES
  );
}

/** Parses a stored hash; null for anything that is not a well-formed, sane pbkdf2-sha256 string. */
export function parsePasswordHash(stored: string): ParsedPasswordHash | null {
  if (typeof stored !== "string" || stored.length > 256) return null;
  const parts = stored.split("$");
  if (parts.length !== 5 || parts[0] !== "" || parts[1] !== ALGORITHM) return null;
  const params = /^i=([1-9][0-9]{0,8})$/.exec(parts[2] ?? "");
  if (params === null) return null;
  const iterations = Number(params[1]);
  if (iterations > MAX_STORED_ITERATIONS) return null;
  const salt = decodeBase64(parts[3] ?? "");
  const hash = decodeBase64(parts[4] ?? "");
  if (salt === null || salt.length < MIN_STORED_SALT_BYTES || salt.length > MAX_STORED_BYTES) return null;
  if (hash === null || hash.length < MIN_STORED_KEY_BYTES || hash.length > MAX_STORED_BYTES) return null;
  return { algorithm: ALGORITHM, iterations, salt, hash };
}

/** The stored form of a parsed hash (inverse of parsePasswordHash). */
export function formatPasswordHash(parsed: ParsedPasswordHash): string {
  return `$${parsed.algorithm}$i=${parsed.iterations}$${encodeBase64(parsed.salt)}$${encodeBase64(parsed.hash)}`;
}

/** True when the password (any case, after NFKC) is on the common-passwords list. */
export function isCommonPassword(password: string): boolean {
  return COMMON_PASSWORDS.has(normalizePassword(password).toLowerCase());
}

/**
 * Checks a new password: 8–128 code points after NFKC (an emoji is one), no control characters
 * or unpaired surrogates, not a common password (case-insensitive), and not equal to any of
 * `accountWords` (the user's email, its local part, their name), also case-insensitive.
 * Returns null when acceptable. No composition rules (NIST SP 800-63B).
 */
export function checkPasswordPolicy(password: string, accountWords: readonly string[] = []): PasswordPolicyError | null {
  if (typeof password !== "string") return policyError("password_too_short");
  if (password.length > MAX_PASSWORD_INPUT_UNITS) return policyError("password_too_long");
  const normalized = normalizePassword(password);
  const length = countCodePoints(normalized);
  if (length < PASSWORD_MIN_LENGTH) return policyError("password_too_short");
  if (length > PASSWORD_MAX_LENGTH) return policyError("password_too_long");
  if (/[\p{Cc}\p{Cs}]/u.test(normalized)) return policyError("password_invalid_characters");
  const folded = normalized.toLowerCase();
  if (COMMON_PASSWORDS.has(folded)) return policyError("password_common");
  for (const word of accountWords) {
    const candidates = [word];
    const at = word.lastIndexOf("@");
    if (at > 0) candidates.push(word.slice(0, at));
    if (candidates.some((c) => c.trim() !== "" && normalizePassword(c).toLowerCase() === folded)) {
      return policyError("password_matches_account");
    }
  }
  return null;
}

const POLICY_MESSAGES: Record<PasswordPolicyCode, string> = {
  password_too_short: `Password must be at least ${PASSWORD_MIN_LENGTH} characters long.`,
  password_too_long: `Password must be at most ${PASSWORD_MAX_LENGTH} characters long.`,
  password_invalid_characters: "Password must not contain control characters.",
  password_common: "This password is too common. Choose a less predictable one.",
  password_matches_account: "Password must not be your email address or name.",
};

function policyError(code: PasswordPolicyCode): PasswordPolicyError {
  return { code, message: POLICY_MESSAGES[code] };
}

function countCodePoints(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

function isAcceptableInput(password: unknown): password is string {
  return typeof password === "string" && password.length > 0 && password.length <= MAX_PASSWORD_INPUT_UNITS;
}

async function pbkdf2(
  password: string,
  salt: Uint8Array<ArrayBuffer>,
  iterations: number,
  bytes: number,
): Promise<Uint8Array<ArrayBuffer>> {
  const key = await crypto.subtle.importKey("raw", encoder.encode(password), "PBKDF2", false, ["deriveBits"]);
  const bits = await crypto.subtle.deriveBits({ name: "PBKDF2", hash: "SHA-256", salt, iterations }, key, bytes * 8);
  return new Uint8Array(bits);
}

/** Compares in time that depends only on the lengths (equal here by construction). */
function timingSafeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

const BASE64_RE = /^[A-Za-z0-9+/]+$/;

function encodeBase64(bytes: Uint8Array): string {
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/=+$/, "");
}

/** Strict unpadded standard base64: null for any other alphabet, padding or non-canonical form. */
function decodeBase64(text: string): Uint8Array<ArrayBuffer> | null {
  if (!BASE64_RE.test(text) || text.length % 4 === 1) return null;
  let binary: string;
  try {
    binary = atob(text + "=".repeat((4 - (text.length % 4)) % 4));
  } catch {
    return null;
  }
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return encodeBase64(bytes) === text ? bytes : null;
}
