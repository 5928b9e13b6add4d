// Provider rows and their sealed secrets under RLS: one place that reads a provider for the
// API, seals and stores a secret, and opens secrets for a call the caller may make.
import type postgres from "postgres";
import { type Binding, decryptSecret, encryptSecret, sealedVersion } from "./crypto.ts";
import type { Tx } from "./db.ts";
import { AppError } from "./errors.ts";
import type { Provider } from "../../shared/providers.ts";

export type SecretKind = "api_key" | "oauth_client_secret" | "oauth_access_token";

export const binding = (tenantId: string, secretId: string, kind: SecretKind): Binding => ({
  tenantId,
  rowId: secretId,
  purpose: `provider_${kind}`,
});

/** `sk-…a1b2`: enough to recognise a key, never enough to use it. */
export function maskSecret(secret: string): string {
  const s = secret.trim();
  return s.length >= 12 ? `${s.slice(0, 3)}…${s.slice(-4)}` : `…${s.slice(-2)}`;
}

export const providerColumns = (tx: postgres.TransactionSql) => tx`
  p.id, p.type, p.name, p.base_url, p.api_version, p.organization, p.deployments, p.extra_params, p.status,
  p.auth_type, p.oauth, p.features, p.allow_private_network, p.restricted,
  (select s.mask from public.provider_secrets s where s.provider_id = p.id and s.kind = 'api_key') as key_mask,
  p.last_tested_at, p.last_test_ok, p.last_test_latency_ms, p.last_test_error`;

export async function getProvider(tx: Tx, id: string): Promise<Provider> {
  const [row] = await tx<Provider[]>`select ${providerColumns(tx)} from public.providers p where p.id = ${id}`;
  if (!row) throw new AppError("not_found", "No such provider.");
  return row;
}

/** Seal and upsert a provider secret; RLS lets only provider managers do it. */
export async function storeSecret(
  tx: Tx,
  p: { tenantId: string; providerId: string },
  kind: SecretKind,
  secret: string,
  expiresAt: Date | null = null,
): Promise<void> {
  const [existing] = await tx<{ id: string }[]>`
    select id from public.provider_secrets where provider_id = ${p.providerId} and kind = ${kind}`;
  const id = existing?.id ?? crypto.randomUUID();
  const sealed = await encryptSecret(secret, binding(p.tenantId, id, kind));
  const mask = kind === "oauth_access_token" ? "token" : maskSecret(secret);
  if (existing) {
    await tx`update public.provider_secrets set sealed = ${sealed}, key_version = ${sealedVersion(sealed)}, mask = ${mask},
               expires_at = ${expiresAt}, updated_at = now() where id = ${id}`;
  } else {
    await tx`insert into public.provider_secrets (id, tenant_id, provider_id, kind, sealed, key_version, mask, expires_at)
             values (${id}, ${p.tenantId}, ${p.providerId}, ${kind}, ${sealed}, ${sealedVersion(sealed)}, ${mask}, ${expiresAt})`;
  }
}

export interface OpenSecret {
  id: string;
  kind: SecretKind;
  value: string;
  expiresAt: Date | null;
}

/** The decrypted secrets of a provider the caller may use (app.provider_secrets_for_call). */
export async function openSecrets(tx: Tx, tenantId: string, providerId: string): Promise<Map<SecretKind, OpenSecret>> {
  const rows = await tx<{ id: string; kind: SecretKind; sealed: string; expires_at: Date | null }[]>`
    select id, kind, sealed, expires_at from app.provider_secrets_for_call(${providerId})`;
  const out = new Map<SecretKind, OpenSecret>();
  for (const r of rows) {
    out.set(r.kind, { id: r.id, kind: r.kind, value: await decryptSecret(r.sealed, binding(tenantId, r.id, r.kind)), expiresAt: r.expires_at });
  }
  return out;
}
