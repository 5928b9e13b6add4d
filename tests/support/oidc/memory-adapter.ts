// Per-provider in-memory storage adapter for oidc-provider (same contract as its built-in
// MemoryAdapter, which is fine but prints a "you MUST change it" warning on every start).
// Contract: https://github.com/panva/node-oidc-provider/blob/main/example/my_adapter.js

export interface AdapterPayload {
  grantId?: string;
  uid?: string;
  userCode?: string;
  jti?: string;
  consumed?: number;
  [key: string]: unknown;
}

export interface OidcAdapter {
  upsert(id: string, payload: AdapterPayload, expiresIn?: number): Promise<void>;
  find(id: string): Promise<AdapterPayload | undefined>;
  findByUid(uid: string): Promise<AdapterPayload | undefined>;
  findByUserCode(userCode: string): Promise<AdapterPayload | undefined>;
  consume(id: string): Promise<void>;
  destroy(id: string): Promise<void>;
  revokeByGrantId(grantId: string): Promise<void>;
}

interface Entry {
  model: string;
  id: string;
  payload: AdapterPayload;
  expiresAt: number; // epoch ms, Infinity when no expiry
}

// Models whose artifacts are revoked together with their grant (e.g. on authorization code reuse).
const GRANTABLE = new Set([
  "AccessToken",
  "AuthorizationCode",
  "RefreshToken",
  "DeviceCode",
  "BackchannelAuthenticationRequest",
  "PreAuthorizedCode",
]);

/** Returns a factory `(modelName) => adapter` for the `adapter` configuration option. */
export function createMemoryAdapterFactory(clockToleranceSeconds = 15): (model: string) => OidcAdapter {
  const entries = new Map<string, Entry>(); // `${model}:${id}`
  const byGrant = new Map<string, Set<string>>();
  const sessionByUid = new Map<string, string>(); // uid -> Session id
  const byUserCode = new Map<string, string>(); // userCode -> `${model}:${id}`

  const live = (key: string): Entry | undefined => {
    const entry = entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= Date.now()) {
      remove(key);
      return undefined;
    }
    return entry;
  };

  const remove = (key: string): void => {
    const entry = entries.get(key);
    if (!entry) return;
    entries.delete(key);
    const { grantId, uid, userCode } = entry.payload;
    if (grantId) byGrant.get(grantId)?.delete(key);
    if (entry.model === "Session" && uid && sessionByUid.get(uid) === entry.id) sessionByUid.delete(uid);
    if (userCode && byUserCode.get(userCode) === key) byUserCode.delete(userCode);
  };

  return (model: string): OidcAdapter => {
    const keyOf = (id: string): string => `${model}:${id}`;
    return {
      async upsert(id, payload, expiresIn) {
        const key = keyOf(id);
        remove(key);
        const expiresAt =
          typeof expiresIn === "number" ? Date.now() + (expiresIn + clockToleranceSeconds) * 1000 : Infinity;
        entries.set(key, { model, id, payload, expiresAt });
        if (model === "Session" && payload.uid) sessionByUid.set(payload.uid, id);
        if (payload.userCode) byUserCode.set(payload.userCode, key);
        if (GRANTABLE.has(model) && payload.grantId) {
          let members = byGrant.get(payload.grantId);
          if (!members) byGrant.set(payload.grantId, (members = new Set()));
          members.add(key);
        }
      },
      async find(id) {
        return live(keyOf(id))?.payload;
      },
      async findByUid(uid) {
        const id = sessionByUid.get(uid);
        return id === undefined ? undefined : live(keyOf(id))?.payload;
      },
      async findByUserCode(userCode) {
        const key = byUserCode.get(userCode);
        return key === undefined ? undefined : live(key)?.payload;
      },
      async consume(id) {
        const entry = live(keyOf(id));
        if (entry) entry.payload.consumed = Math.floor(Date.now() / 1000);
      },
      async destroy(id) {
        remove(keyOf(id));
      },
      async revokeByGrantId(grantId) {
        for (const key of [...(byGrant.get(grantId) ?? [])]) remove(key);
        byGrant.delete(grantId);
      },
    };
  };
}
