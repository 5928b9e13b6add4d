// AES-256-GCM sealing of secrets: fresh nonces, authentication of every byte and of the row
// the value belongs to, and key versions for rotation.
import { randomBytes } from "node:crypto";
import { beforeEach, describe, expect, it } from "vitest";
import { configure } from "../../functions/_shared/config.ts";
import { decryptSecret, encryptSecret, newestKeyVersion, resetKeyRing } from "../../functions/_shared/crypto.ts";

const key = () => randomBytes(32).toString("base64");
const k1 = key();
const k2 = key();
const base = { DATABASE_URL: "postgres://x@127.0.0.1/db", JWT_SECRET: "j".repeat(32) };
const acme = { tenantId: "11111111-1111-4111-8111-111111111111", rowId: "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa", purpose: "provider_api_key" };
const globex = { ...acme, tenantId: "22222222-2222-4222-8222-222222222222" };

function useKeys(keys: string): void {
  configure({ ...base, ENCRYPTION_KEYS: keys });
  resetKeyRing();
}

beforeEach(() => useKeys(`1:${k1}`));

describe("sealed secrets", () => {
  it("round-trip, with a fresh nonce each time", async () => {
    const a = await encryptSecret("sk-live-secret", acme);
    const b = await encryptSecret("sk-live-secret", acme);
    expect(a).not.toBe(b);
    expect(a.split(".")[1]).not.toBe(b.split(".")[1]);
    expect(await decryptSecret(a, acme)).toBe("sk-live-secret");
  });

  it("refuse any tampered byte", async () => {
    const sealed = await encryptSecret("sk-live-secret", acme);
    const [v, iv, ct] = sealed.split(".") as [string, string, string];
    const flipped = ct.slice(0, 5) + (ct[5] === "A" ? "B" : "A") + ct.slice(6);
    await expect(decryptSecret(`${v}.${iv}.${flipped}`, acme)).rejects.toThrow(/does not authenticate/);
    await expect(decryptSecret(`${v}.${iv}.${ct.slice(0, -2)}`, acme)).rejects.toThrow();
    await expect(decryptSecret("not sealed at all", acme)).rejects.toThrow(/malformed/);
  });

  it("refuse tenant A's ciphertext in tenant B's row, or in another row or purpose", async () => {
    const sealed = await encryptSecret("sk-live-secret", acme);
    await expect(decryptSecret(sealed, globex)).rejects.toThrow(/does not authenticate/);
    await expect(decryptSecret(sealed, { ...acme, rowId: "bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb" })).rejects.toThrow();
    await expect(decryptSecret(sealed, { ...acme, purpose: "sso_client_secret" })).rejects.toThrow();
  });

  it("name their key version; old versions keep decrypting after a new key is added", async () => {
    const old = await encryptSecret("sk-old", acme);
    expect(old.startsWith("v1.")).toBe(true);
    useKeys(`2:${k2},1:${k1}`);
    expect(await newestKeyVersion()).toBe(2);
    expect(await decryptSecret(old, acme)).toBe("sk-old");
    expect((await encryptSecret("sk-new", acme)).startsWith("v2.")).toBe(true);
    useKeys(`2:${k2}`);
    await expect(decryptSecret(old, acme)).rejects.toThrow(/no key for version 1/);
  });
});
