// Tenant isolation, proved in SQL the way the server runs it: `authenticated` with access-token
// claims (withClaims), one user of tenant A per role trying to read, change, move, delete and
// insert tenant B's rows in every table of schema public (entries in tests/support/isolation.ts).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeDb } from "../../functions/_shared/db.ts";
import {
  attempt,
  blindly,
  claimsOf,
  type IsolationEntry,
  isolationTables,
  makeTenant,
  type Outcome,
  roles,
  snapshot,
  type TenantCtx,
} from "../support/isolation.ts";
import { rootSql } from "../support/stack.ts";

const root = rootSql();

/** Refused: no rows touched (when RLS may simply hide the row) or insufficient_privilege. */
function expectRefused(o: Outcome, opts: { zeroRowsOk: boolean; codes?: string[] }): void {
  if ("rows" in o && opts.zeroRowsOk) {
    expect(o.rows).toBe(0);
    return;
  }
  expect(o).toHaveProperty("error");
  expect(opts.codes ?? ["42501"]).toContain((o as { error: string }).error);
}

let b: TenantCtx;
const bKeys = new Map<string, string>();
const bBefore = new Map<string, unknown>();

beforeAll(async () => {
  b = await makeTenant(root, "Globex", "owner");
  for (const e of isolationTables) {
    const key = await e.make(root, b);
    bKeys.set(e.table, key);
    bBefore.set(e.table, await snapshot(root, e, key));
  }
});

afterAll(async () => {
  await closeDb();
});

describe("the isolation harness", () => {
  it("has an entry for every table in schema public, and none for tables that do not exist", async () => {
    const rows = await root<{ table: string }[]>`
      select tablename as table from pg_tables where schemaname = 'public' order by tablename`;
    expect(isolationTables.map((e) => e.table).sort()).toEqual(rows.map((r) => r.table));
  });

  it("names the tenant column of every table that has tenant_id", async () => {
    const rows = await root<{ table: string }[]>`
      select table_name as table from information_schema.columns
      where table_schema = 'public' and column_name = 'tenant_id' order by table_name`;
    const declared = isolationTables.filter((e) => e.tenantColumn === "tenant_id").map((e) => e.table).sort();
    expect(declared).toEqual(rows.map((r) => r.table));
  });
});

describe.each(roles)("a %s of tenant A against tenant B", (role) => {
  let a: TenantCtx;
  const aKeys = new Map<string, string>();

  beforeAll(async () => {
    a = await makeTenant(root, "Acme", role);
    for (const e of isolationTables) aKeys.set(e.table, await e.make(root, a));
  });

  describe.each(isolationTables)("$table", (e: IsolationEntry) => {
    const aKey = () => aKeys.get(e.table)!;
    const bKey = () => bKeys.get(e.table)!;
    const table = (tx: Parameters<Parameters<typeof attempt>[1]>[0]) => tx(`public.${e.table}`);
    const zeroRowsOk = e.access === "rls";

    /** Run a statement aimed at B's row and check the row is exactly as before. */
    async function againstB(fn: Parameters<typeof attempt>[1]): Promise<Outcome> {
      const before = await snapshot(root, e, bKey());
      const outcome = await attempt(claimsOf(a), fn);
      expect(await snapshot(root, e, bKey())).toEqual(before);
      return outcome;
    }

    it(`reads its own tenant's row only when granted (${e.visibleTo.includes(role) ? "granted" : "not granted"})`, async () => {
      const o = await attempt(claimsOf(a), (tx) => tx`select 1 from ${table(tx)} where ${tx(e.key)}::text = ${aKey()}`);
      if (e.visibleTo.includes(role)) expect(o).toEqual({ rows: 1 });
      else expectRefused(o, { zeroRowsOk });
    });

    it("cannot select B's rows", async () => {
      const o = await againstB((tx) => tx`
        select 1 from ${table(tx)}
        where ${tx(e.key)}::text = ${bKey()}
          ${e.tenantColumn ? tx`or ${tx(e.tenantColumn)} = ${b.tenantId}` : tx``}`);
      expectRefused(o, { zeroRowsOk });
    });

    it("cannot update B's rows", async () => {
      const o = await againstB((tx) => tx`
        update ${table(tx)} set ${tx({ [e.update.column]: e.update.value() } as Record<string, never>)}
        where ${tx(e.key)}::text = ${bKey()} returning 1`);
      expectRefused(o, { zeroRowsOk });
    });

    it.runIf(e.tenantColumn)("cannot pull B's row into tenant A", async () => {
      const o = await againstB((tx) => tx`
        update ${table(tx)} set ${tx(e.tenantColumn!)} = ${a.tenantId}
        where ${tx(e.key)}::text = ${bKey()} returning 1`);
      expectRefused(o, { zeroRowsOk });
    });

    it.runIf(e.tenantColumn)("cannot move its own row to tenant B (an error, not a silent no-op)", async () => {
      const o = await attempt(claimsOf(a), (tx) => tx`
        update ${table(tx)} set ${tx(e.tenantColumn!)} = ${b.tenantId}
        where ${tx(e.key)}::text = ${aKey()} returning 1`);
      expectRefused(o, { zeroRowsOk: false, codes: ["42501", "AT403"] });
      const [row] = await root<{ tenant: string }[]>`
        select ${root(e.tenantColumn!)}::text as tenant from ${root(`public.${e.table}`)}
        where ${root(e.key)}::text = ${aKey()}`;
      expect(row?.tenant).toBe(a.tenantId);
    });

    it("cannot reach B's rows with a blind update (no WHERE, so only the update policy decides)", async () => {
      const before = await snapshot(root, e, bKey());
      const { outcome, after } = await blindly(claimsOf(a), e, bKey(), "update");
      if (e.access === "none") expect(outcome).toEqual({ error: "42501" });
      else if ("rows" in outcome) expect(after).toEqual(before);
    });

    it("cannot reach B's rows with a blind delete (no WHERE, so only the delete policy decides)", async () => {
      const before = await snapshot(root, e, bKey());
      const { outcome, after } = await blindly(claimsOf(a), e, bKey(), "delete");
      if (e.access === "none") expect(outcome).toEqual({ error: "42501" });
      else if ("rows" in outcome) expect(after).toEqual(before);
    });

    it("cannot delete B's rows", async () => {
      const o = await againstB((tx) => tx`delete from ${table(tx)} where ${tx(e.key)}::text = ${bKey()} returning 1`);
      expectRefused(o, { zeroRowsOk });
    });

    it("cannot insert a row for tenant B", async () => {
      const count = async () => {
        if (!e.tenantColumn) return undefined;
        const [n] = await root<{ n: number }[]>`
          select count(*)::int as n from ${root(`public.${e.table}`)} where ${root(e.tenantColumn)} = ${b.tenantId}`;
        return n?.n;
      };
      const before = await count();
      const row = e.newRow(b);
      const o = await attempt(claimsOf(a), (tx) => tx`insert into ${table(tx)} ${tx(row as Record<string, never>)} returning 1`);
      expectRefused(o, { zeroRowsOk: false });
      expect(await count()).toBe(before);
    });

    it(`updates its own row only when granted (${e.updatableBy.includes(role) ? "granted" : "not granted"})`, async () => {
      // Proves the refusals above come from isolation, not from a statement that could never work.
      const o = await attempt(
        claimsOf(a),
        (tx) => tx`update ${table(tx)} set ${tx({ [e.update.column]: e.update.value() } as Record<string, never>)}
                   where ${tx(e.key)}::text = ${aKey()} returning 1`,
        { keep: false },
      );
      if (e.updatableBy.includes(role)) expect(o).toEqual({ rows: 1 });
      else expectRefused(o, { zeroRowsOk });
    });
  });
});

describe("the audit log", () => {
  let a: TenantCtx;
  let ownRow: string;

  beforeAll(async () => {
    a = await makeTenant(root, "Acme", "owner");
    ownRow = await isolationTables.find((e) => e.table === "audit_log")!.make(root, a);
  });

  it("is append-only: an owner reads her tenant's rows but cannot update or delete them", async () => {
    const audit = isolationTables.find((e) => e.table === "audit_log")!;
    const before = await snapshot(root, audit, ownRow);
    expect(await attempt(claimsOf(a), (tx) => tx`select 1 from public.audit_log where id = ${ownRow}`)).toEqual({ rows: 1 });
    expect(await attempt(claimsOf(a), (tx) => tx`update public.audit_log set action = 'test.rewritten' returning 1`))
      .toEqual({ error: "42501" });
    expect(await attempt(claimsOf(a), (tx) => tx`update public.audit_log set details = '{}' where id = ${ownRow} returning 1`))
      .toEqual({ error: "42501" });
    expect(await attempt(claimsOf(a), (tx) => tx`delete from public.audit_log where id = ${ownRow} returning 1`))
      .toEqual({ error: "42501" });
    expect(await attempt(claimsOf(a), (tx) => tx`truncate public.audit_log`)).toEqual({ error: "42501" });
    expect(await snapshot(root, audit, ownRow)).toEqual(before);
  });

  it("app.audit() under tenant A's claims writes tenant A and the claimed actor, whatever the caller names", async () => {
    const marker = `forgery-${Date.now()}`;
    const o = await attempt(claimsOf(a), (tx) => tx`
      select app.audit(${b.tenantId}::uuid, 'test.forgery', 'user', ${marker}, '{}'::jsonb, null, null,
                       ${b.userId}::uuid, ${b.email})`);
    expect(o).toEqual({ rows: 1 });
    const rows = await root<{ tenant_id: string; actor_id: string; actor_email: string }[]>`
      select tenant_id, actor_id, actor_email from public.audit_log where target_id = ${marker}`;
    expect(rows).toEqual([{ tenant_id: a.tenantId, actor_id: a.userId, actor_email: a.email }]);
  });
});

describe("login attempts", () => {
  it.each(roles)("cannot be read, written or counted by a %s", async (role) => {
    const a = await makeTenant(root, "Acme", role);
    const claims = claimsOf(a);
    expect(await attempt(claims, (tx) => tx`select count(*) from public.login_attempts`)).toEqual({ error: "42501" });
    expect(await attempt(claims, (tx) => tx`delete from public.login_attempts where account_key like ${`${b.slug}:%`} returning 1`))
      .toEqual({ error: "42501" });
    expect(await attempt(claims, (tx) => tx`insert into public.login_attempts (account_key, succeeded)
                                            values (${`${b.slug}:${b.email}`}, true) returning 1`)).toEqual({ error: "42501" });
  });
});

describe("tenant B after every attempt", () => {
  it("has exactly the rows it started with", async () => {
    for (const e of isolationTables) {
      expect(await snapshot(root, e, bKeys.get(e.table)!), e.table).toEqual(bBefore.get(e.table));
    }
  });
});
