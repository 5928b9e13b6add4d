// `npm run rotate-keys` against a real database of its own: every sealed secret moves to the
// newest key, stays readable for its row, and a second run has nothing left to do.
import { randomBytes } from "node:crypto";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { configure } from "../../functions/_shared/config.ts";
import { decryptSecret, encryptSecret, resetKeyRing } from "../../functions/_shared/crypto.ts";
import { binding } from "../../functions/_shared/provider-store.ts";
import { prepareDatabase } from "../../scripts/lib/database.ts";
import { rotateKeys } from "../../scripts/lib/rotate-keys.ts";
import { databaseUrl, rootSql } from "../support/stack.ts";

const dbName = `rotate_${process.pid}_${Date.now()}`;
const oldKey = randomBytes(32).toString("base64");
const newKey = randomBytes(32).toString("base64");
let sql: postgres.Sql;

function useKeys(keys: string): void {
  configure({ DATABASE_URL: databaseUrl, JWT_SECRET: "j".repeat(32), ENCRYPTION_KEYS: keys });
  resetKeyRing();
}

beforeAll(async () => {
  await rootSql().unsafe(`create database ${dbName}`);
  const url = new URL(databaseUrl);
  url.pathname = `/${dbName}`;
  sql = postgres(url.toString(), { max: 2, onnotice: () => {}, prepare: false });
  await prepareDatabase(sql, { seed: false });
});

afterAll(async () => {
  await sql.end();
  await rootSql().unsafe(`drop database if exists ${dbName} with (force)`);
});

describe("rotate-keys", () => {
  it("re-encrypts provider keys and SSO secrets under the newest key", async () => {
    useKeys(`1:${oldKey}`);
    const [t] = await sql<{ id: string }[]>`insert into public.tenants (name, slug) values ('Acme', 'acme') returning id`;
    const [p] = await sql<{ id: string }[]>`insert into public.providers (tenant_id, type, name, base_url)
      values (${t!.id}, 'openai', 'OpenAI', 'https://api.openai.com/v1') returning id`;
    const secretIds: string[] = [];
    for (const kind of ["api_key", "oauth_client_secret"] as const) {
      const id = crypto.randomUUID();
      const sealed = await encryptSecret(`secret-${kind}`, binding(t!.id, id, kind));
      await sql`insert into public.provider_secrets (id, tenant_id, provider_id, kind, sealed, key_version, mask)
                values (${id}, ${t!.id}, ${p!.id}, ${kind}, ${sealed}, 1, 'x')`;
      secretIds.push(id);
    }
    const ssoId = crypto.randomUUID();
    const ssoBinding = { tenantId: t!.id, rowId: ssoId, purpose: "sso_client_secret" };
    await sql`insert into public.tenant_sso (id, tenant_id, issuer, client_id, client_secret_sealed)
              values (${ssoId}, ${t!.id}, 'https://idp.example', 'client', ${await encryptSecret("sso-secret", ssoBinding)})`;

    useKeys(`2:${newKey},1:${oldKey}`);
    const lines: string[] = [];
    expect(await rotateKeys(sql, (l) => lines.push(l))).toEqual({ rotated: 3, current: 0 });
    expect(lines.at(-1)).toMatch(/3\/3 secrets checked: 3 re-encrypted under key version 2/);

    useKeys(`2:${newKey}`); // the old key is gone: everything must still open
    const rows = await sql<{ id: string; kind: "api_key" | "oauth_client_secret"; sealed: string; key_version: number }[]>`
      select id, kind, sealed, key_version from public.provider_secrets order by kind`;
    expect(rows.map((r) => r.key_version)).toEqual([2, 2]);
    for (const r of rows) expect(await decryptSecret(r.sealed, binding(t!.id, r.id, r.kind))).toBe(`secret-${r.kind}`);
    const [sso] = await sql<{ s: string }[]>`select client_secret_sealed as s from public.tenant_sso`;
    expect(await decryptSecret(sso!.s, ssoBinding)).toBe("sso-secret");

    expect(await rotateKeys(sql)).toEqual({ rotated: 0, current: 3 });
  });
});
