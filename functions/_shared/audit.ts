// Writes audit rows through app.audit(), the only door into the append-only audit log.
// Under a request transaction the database takes tenant and actor from the verified claims.
import type postgres from "postgres";

export interface AuditEvent {
  tenantId: string;
  action: string;
  targetType?: string;
  targetId?: string;
  details?: Record<string, unknown>;
  ip?: string | null;
  userAgent?: string | null;
  actorId?: string | null;
  actorEmail?: string | null;
}

export async function audit(sql: postgres.Sql | postgres.TransactionSql, e: AuditEvent): Promise<void> {
  await sql`select app.audit(${e.tenantId}::uuid, ${e.action}, ${e.targetType ?? null}, ${e.targetId ?? null},
    ${sql.json((e.details ?? {}) as postgres.JSONValue)}, ${e.ip ?? null}::inet, ${e.userAgent ?? null},
    ${e.actorId ?? null}::uuid, ${e.actorEmail ?? null})`;
}
