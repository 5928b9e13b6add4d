// Rules of DESIGN.md §1 and §3 that a reviewer would otherwise have to remember: the deploy
// import map matches package.json, every function is declared for Supabase, Deno.* only in
// entry files, and nothing but db.ts and privileged.ts touches the pool (RLS bypass).
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";

const root = join(import.meta.dirname, "..", "..");
const read = (p: string) => readFileSync(join(root, p), "utf8");
/** Source without comments, so prose may mention what code may not use. */
const code = (p: string) => read(p).replace(/\/\*[\s\S]*?\*\//g, "").replace(/(^|[^:])\/\/.*$/gm, "$1");

function tsFiles(dir: string): string[] {
  return readdirSync(join(root, dir)).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(join(root, p)).isDirectory()) return tsFiles(p);
    return /\.tsx?$/.test(name) ? [p] : [];
  });
}

const functionNames = readdirSync(join(root, "functions")).filter(
  (n) => !n.startsWith("_") && statSync(join(root, "functions", n)).isDirectory(),
);

describe("project rules", () => {
  it("functions/deno.json maps every runtime dependency to the version package.json installs", () => {
    const deno = JSON.parse(read("functions/deno.json")) as { imports: Record<string, string> };
    const pkg = JSON.parse(read("package.json")) as { dependencies: Record<string, string> };
    for (const [name, target] of Object.entries(deno.imports)) {
      const m = /^npm:\/?(@?[^@]+)@([^/]+)\/?$/.exec(target);
      expect(m, `${name} → ${target}`).not.toBeNull();
      expect(pkg.dependencies[m![1]!], `package.json dependency ${m![1]}`).toBe(m![2]);
    }
  });

  it("supabase/config.toml declares every function with its entrypoint and verify_jwt = false", () => {
    const toml = read("supabase/config.toml");
    expect(functionNames.length).toBeGreaterThan(0);
    for (const fn of functionNames) {
      const block = new RegExp(
        `\\[functions\\.${fn}\\]\\s*\\nentrypoint = "\\.\\./functions/${fn}/index\\.ts"[\\s\\S]*?verify_jwt = false`,
      );
      expect(toml, fn).toMatch(block);
    }
  });

  it("Deno.* appears only in entry files and the one entry module they share", () => {
    const offenders = [...tsFiles("functions"), ...tsFiles("shared")].filter(
      (f) => !/^functions\/[^/]+\/index\.ts$/.test(f) && f !== "functions/_shared/deno-entry.ts" && /\bDeno\./.test(code(f)),
    );
    expect(offenders).toEqual([]);
  });

  it("only db.ts and privileged.ts use the raw pool", () => {
    const offenders = tsFiles("functions").filter((f) => {
      if (f === "functions/_shared/db.ts" || f === "functions/_shared/privileged.ts") return false;
      const src = code(f);
      return /import\s*\{[^}]*\bdb\b[^}]*\}\s*from\s*"[^"]*\/db\.ts"/.test(src) || /import\s+(?!type\b)[^;]*from\s*"postgres"/.test(src);
    });
    expect(offenders.map((f) => relative(root, join(root, f)))).toEqual([]);
  });
});
