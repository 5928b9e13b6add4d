// The migration splitter must never cut inside quotes, comments or function bodies.
import { describe, expect, it } from "vitest";
import { splitSql } from "../../scripts/lib/sql-split.ts";

describe("splitSql", () => {
  it("splits on top-level semicolons and keeps each statement's line", () => {
    const out = splitSql("select 1;\n\nselect 2;\n-- trailing comment\n");
    expect(out).toEqual([
      { text: "select 1", line: 1 },
      { text: "select 2", line: 3 },
    ]);
  });

  it("keeps semicolons inside strings, identifiers, comments and dollar quotes", () => {
    const source = [
      "insert into t values ('a;b', 'it''s;');",
      'create table "we;ird" (x int);',
      "/* a; /* nested; */ still; */ select 3;",
      "create function f() returns int language plpgsql as $body$ begin return 1; end $body$;",
      "do $$ begin perform 1; end $$;",
      "select E'escaped\\';quote';",
    ].join("\n");
    expect(splitSql(source).map((s) => s.line)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(splitSql(source)[3]?.text).toBe(
      "create function f() returns int language plpgsql as $body$ begin return 1; end $body$",
    );
  });

  it("does not treat a positional parameter as a dollar quote", () => {
    expect(splitSql("prepare p as select $1; select 2;").map((s) => s.text)).toEqual([
      "prepare p as select $1",
      "select 2",
    ]);
  });

  it("drops comment-only fragments", () => {
    expect(splitSql("-- only a comment\n/* and another */;")).toEqual([]);
  });
});
