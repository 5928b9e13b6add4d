// Re-encrypts every sealed secret under the newest ENCRYPTION_KEYS version. Rows keep
// decrypting with their old version until they are rewritten, so the command can be stopped
// and run again; each row is replaced only if nobody changed it meanwhile.
import type postgres from "postgres";
import { decryptSecret, encryptSecret, newestKeyVersion, sealedVersion, type Binding } from "../../functions/_shared/crypto.ts";
import { binding, type SecretKind } from "../../functions/_shared/provider-store.ts";

interface SealedRow {
  table: "provider_secrets" | "tenant_sso";
  id: string;
  sealed: string;
  binding: Binding;
}

export interface RotateResult {
  rotated: number;
  current: number;
}

export async function rotateKeys(sql: postgres.Sql, onProgress: (line: string) => void = () => {}): Promise<RotateResult> {
  const newest = await newestKeyVersion();
  const providerRows = await sql<{ id: string; tenant_id: string; kind: SecretKind; sealed: string }[]>`
    select id, tenant_id, kind, sealed from public.provider_secrets`;
  const ssoRows = await sql<{ id: string; tenant_id: string; sealed: string }[]>`
    select id, tenant_id, client_secret_sealed as sealed from public.tenant_sso where client_secret_sealed is not null`;
  const rows: SealedRow[] = [
    ...providerRows.map((r) => ({ table: "provider_secrets" as const, id: r.id, sealed: r.sealed, binding: binding(r.tenant_id, r.id, r.kind) })),
    ...ssoRows.map((r) => ({ table: "tenant_sso" as const, id: r.id, sealed: r.sealed,
      binding: { tenantId: r.tenant_id, rowId: r.id, purpose: "sso_client_secret" } })),
  ];
  let rotated = 0;
  let current = 0;
  for (const row of rows) {
    if (sealedVersion(row.sealed) === newest) {
      current++;
      continue;
    }
    const resealed = await encryptSecret(await decryptSecret(row.sealed, row.binding), row.binding);
    const changed =
      row.table === "provider_secrets"
        ? await sql`update public.provider_secrets set sealed = ${resealed}, key_version = ${newest}, updated_at = now()
                    where id = ${row.id} and sealed = ${row.sealed} returning id`
        : await sql`update public.tenant_sso set client_secret_sealed = ${resealed}, updated_at = now()
                    where id = ${row.id} and client_secret_sealed = ${row.sealed} returning id`;
    if (changed.length > 0) rotated++;
    if ((rotated + current) % 50 === 0) onProgress(`${rotated + current}/${rows.length} secrets checked`);
  }
  onProgress(`${rows.length}/${rows.length} secrets checked: ${rotated} re-encrypted under key version ${newest}, ${current} already current`);
  return { rotated, current };
}
