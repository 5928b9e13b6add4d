// What assistants and prompt templates share: personal items for every member, tenant-wide
// ones for admins. RLS decides what each caller sees; these helpers turn "visible but not
// yours to change" into a 403 and remove an item with its audit row.
import type { Context } from "hono";
import { type AuthEnv, clientInfo, hasRole, userTx } from "../_shared/auth.ts";
import { audit } from "../_shared/audit.ts";
import type { Tx } from "../_shared/db.ts";
import { AppError } from "../_shared/errors.ts";
import type { AccessClaims } from "../_shared/tokens.ts";
import type { ItemScope } from "../../shared/assistants.ts";

export interface ItemKind {
  table: "assistants" | "prompt_templates";
  /** For messages ("No such assistant.") and audit actions ("assistant.deleted"). */
  noun: "assistant" | "template";
  targetType: string;
}

/** 403 `insufficient_role` unless the caller may write an item of this scope. */
export function assertMayWrite(claims: AccessClaims, scope: ItemScope): void {
  if (!hasRole(claims, scope === "tenant" ? "admin" : "member")) {
    throw new AppError(
      "forbidden",
      scope === "tenant" ? "Only admins change what the whole organisation shares." : "Read-only users cannot change this.",
      { code: "insufficient_role" },
    );
  }
}

/** `and …` narrowing a list to one scope (under RLS, "personal" is the caller's own). */
export function scopeFilter(tx: Tx, scope: "all" | ItemScope) {
  if (scope === "personal") return tx`and owner_id is not null`;
  if (scope === "tenant") return tx`and owner_id is null`;
  return tx``;
}

/** The scope of a visible item, or 404. */
export async function scopeOf(tx: Tx, kind: ItemKind, id: string): Promise<ItemScope> {
  const [row] = await tx<{ owner_id: string | null }[]>`select owner_id from ${tx(`public.${kind.table}`)} where id = ${id}`;
  if (!row) throw new AppError("not_found", `No such ${kind.noun}.`);
  return row.owner_id === null ? "tenant" : "personal";
}

/** DELETE /<items>/:id for either kind; tenant-wide removals are audited. */
export async function removeItem(c: Context<AuthEnv>, kind: ItemKind, id: string): Promise<void> {
  const claims = c.var.claims;
  assertMayWrite(claims, "personal");
  await userTx(c, async (tx) => {
    const scope = await scopeOf(tx, kind, id);
    assertMayWrite(claims, scope);
    const [gone] = await tx<{ name: string }[]>`delete from ${tx(`public.${kind.table}`)} where id = ${id} returning name`;
    if (!gone) throw new AppError("not_found", `No such ${kind.noun}.`);
    if (scope === "tenant") {
      await audit(tx, { tenantId: claims.tenant_id, action: `${kind.noun}.deleted`, targetType: kind.targetType, targetId: id,
        details: { name: gone.name }, ...clientInfo(c) });
    }
  });
}
