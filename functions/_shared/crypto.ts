// AES-256-GCM for secrets at rest (provider keys, SSO client secrets, OAuth tokens).
// Each value gets a fresh 96-bit nonce and is bound to its tenant and row through associated
// data, so a ciphertext copied into another row or tenant does not decrypt. Keys come from
// ENCRYPTION_KEYS (newest first); the version is stored with the value for rotation.
import { config } from "./config.ts";

export interface Binding {
  tenantId: string;
  rowId: string;
  /** What the secret is, e.g. "provider_key"; part of the associated data. */
  purpose: string;
}

interface KeyRing {
  newest: number;
  keys: Map<number, CryptoKey>;
}

let ring: Promise<KeyRing> | undefined;
const te = new TextEncoder();

function keyRing(): Promise<KeyRing> {
  ring ??= (async () => {
    const keys = new Map<number, CryptoKey>();
    let newest = -1;
    for (const entry of config().encryptionKeys) {
      const [v, b64] = entry.split(/:(.*)/s) as [string, string];
      const raw = fromBase64(b64);
      if (raw.length !== 32) throw new Error(`ENCRYPTION_KEYS: key version ${v} is not 32 bytes`);
      keys.set(Number(v), await crypto.subtle.importKey("raw", raw, "AES-GCM", false, ["encrypt", "decrypt"]));
      if (newest === -1) newest = Number(v);
    }
    return { newest, keys };
  })();
  return ring;
}

/** Forget cached keys (tests that change ENCRYPTION_KEYS). */
export function resetKeyRing(): void {
  ring = undefined;
}

function aad(b: Binding): Uint8Array<ArrayBuffer> {
  return te.encode(`atrium:v1:${b.purpose}:${b.tenantId}:${b.rowId}`);
}

/** `v<version>.<nonce b64url>.<ciphertext+tag b64url>` */
export async function encryptSecret(plaintext: string, binding: Binding): Promise<string> {
  const { newest, keys } = await keyRing();
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const ct = await crypto.subtle.encrypt(
    { name: "AES-GCM", iv, additionalData: aad(binding) },
    keys.get(newest)!,
    te.encode(plaintext),
  );
  return `v${newest}.${toBase64Url(iv)}.${toBase64Url(new Uint8Array(ct))}`;
}

export class DecryptError extends Error {
  override name = "DecryptError";
}

export async function decryptSecret(sealed: string, binding: Binding): Promise<string> {
  const m = /^v(\d+)\.([A-Za-z0-9_-]{16})\.([A-Za-z0-9_-]+)$/.exec(sealed);
  if (!m) throw new DecryptError("malformed ciphertext");
  const key = (await keyRing()).keys.get(Number(m[1]));
  if (!key) throw new DecryptError(`no key for version ${m[1]}`);
  try {
    const pt = await crypto.subtle.decrypt(
      { name: "AES-GCM", iv: fromBase64(m[2]!), additionalData: aad(binding) },
      key,
      fromBase64(m[3]!),
    );
    return new TextDecoder().decode(pt);
  } catch {
    throw new DecryptError("ciphertext does not authenticate for this row");
  }
}

/** The key version a sealed value uses (rotation). */
export function sealedVersion(sealed: string): number | null {
  const m = /^v(\d+)\./.exec(sealed);
  return m ? Number(m[1]) : null;
}

export async function newestKeyVersion(): Promise<number> {
  return (await keyRing()).newest;
}

// Section: encodings and hashes shared by tokens and secrets

export function toBase64Url(bytes: Uint8Array): string {
  let s = "";
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

export function fromBase64(s: string): Uint8Array<ArrayBuffer> {
  const b64 = s.replace(/-/g, "+").replace(/_/g, "/");
  const bin = atob(b64 + "=".repeat((4 - (b64.length % 4)) % 4));
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** A random opaque token with `bytes` of entropy, base64url, with a readable prefix. */
export function randomToken(prefix: string, bytes = 32): string {
  return `${prefix}${toBase64Url(crypto.getRandomValues(new Uint8Array(bytes)))}`;
}

export async function sha256Hex(value: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", te.encode(value)));
  return [...digest].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** HMAC-SHA256 keyed by JWT_SECRET-derived material, base64url. */
export async function hmac(secret: string, message: string): Promise<string> {
  const key = await crypto.subtle.importKey("raw", te.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  return toBase64Url(new Uint8Array(await crypto.subtle.sign("HMAC", key, te.encode(message))));
}
