// Regenerates functions/_shared/common-passwords.ts from the ranked common-password list that
// ships in the npm package @zxcvbn-ts/language-common (MIT). Nothing is installed into the
// project: the package tarball is fetched with `npm pack` into a temporary directory and
// extracted there.
//
//   npx tsx scripts/gen-common-passwords.ts                  # pinned version, via npm pack
//   npx tsx scripts/gen-common-passwords.ts --version 4.1.3  # another version
//   npx tsx scripts/gen-common-passwords.ts --from DIR       # an already extracted package/ dir
//   npx tsx scripts/gen-common-passwords.ts --count 10000    # how many entries to keep
//
// What is kept: the list is ranked most-common first. Each entry is put through the same
// canonical form the policy compares with (NFKC, then lower case); entries shorter than 8 or
// longer than 128 code points are dropped (the length rule already refuses the short ones, so
// listing them would only spend bytes), duplicates are dropped, and the first --count remain,
// in rank order.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const PACKAGE = "@zxcvbn-ts/language-common";
const DEFAULT_VERSION = "4.1.3";
const DEFAULT_COUNT = 10_000;
const MIN_LENGTH = 8; // keep in step with PASSWORD_MIN_LENGTH in functions/_shared/password.ts
const MAX_LENGTH = 128; // keep in step with PASSWORD_MAX_LENGTH

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const outFile = join(root, "functions/_shared/common-passwords.ts");

interface Args {
  version: string;
  from: string | undefined;
  count: number;
}

function parseArgs(argv: readonly string[]): Args {
  const args: Args = { version: DEFAULT_VERSION, from: undefined, count: DEFAULT_COUNT };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = argv[i + 1];
    if (flag === "--version" && value) args.version = value;
    else if (flag === "--from" && value) args.from = resolve(value);
    else if (flag === "--count" && value) args.count = Number.parseInt(value, 10);
    else throw new Error(`unknown or incomplete argument: ${flag ?? ""}`);
    i++;
  }
  if (!Number.isInteger(args.count) || args.count < 1) throw new Error("--count must be a positive integer");
  return args;
}

/** Extracts the package with `npm pack` into a temp dir; returns its package/ dir and a cleanup. */
function fetchPackage(version: string): { dir: string; cleanup: () => void } {
  const tmp = mkdtempSync(join(tmpdir(), "atrium-pwlist-"));
  const cleanup = (): void => rmSync(tmp, { recursive: true, force: true });
  try {
    execFileSync("npm", ["pack", `${PACKAGE}@${version}`, "--pack-destination", tmp, "--silent"], {
      cwd: tmp,
      stdio: ["ignore", "ignore", "inherit"],
    });
    const tgz = readdirSync(tmp).find((f) => f.endsWith(".tgz"));
    if (!tgz) throw new Error("npm pack produced no tarball");
    execFileSync("tar", ["-xzf", join(tmp, tgz), "-C", tmp]);
    return { dir: join(tmp, "package"), cleanup };
  } catch (err) {
    cleanup();
    throw err;
  }
}

function canonical(s: string): string {
  return s.normalize("NFKC").toLowerCase();
}

/** Escapes an entry for a template literal (none in 4.1.3 need it, but a later list might). */
function escapeForTemplate(s: string): string {
  return s.replace(/\\/g, "\\\\").replace(/`/g, "\\`").replace(/\$\{/g, "\\${");
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const fetched = args.from ? { dir: args.from, cleanup: (): void => {} } : fetchPackage(args.version);
  try {
    const pkg = JSON.parse(readFileSync(join(fetched.dir, "package.json"), "utf8")) as {
      name?: unknown;
      version?: unknown;
      license?: unknown;
    };
    if (pkg.name !== PACKAGE) throw new Error(`expected ${PACKAGE}, found ${String(pkg.name)}`);
    const version = String(pkg.version);
    const license = String(pkg.license);
    const licenseFile = readdirSync(fetched.dir).find((f) => /^licen[cs]e/i.test(f));
    const copyright = (licenseFile ? readFileSync(join(fetched.dir, licenseFile), "utf8") : "")
      .split("\n")
      .map((line) => line.trim())
      .filter((line) => /^copyright/i.test(line));
    const raw: unknown = JSON.parse(readFileSync(join(fetched.dir, "src/passwords.json"), "utf8"));
    if (!Array.isArray(raw) || !raw.every((x): x is string => typeof x === "string")) {
      throw new Error("src/passwords.json is not an array of strings");
    }

    const seen = new Set<string>();
    const kept: string[] = [];
    let lastRank = 0;
    for (const [rank, entry] of raw.entries()) {
      const word = canonical(entry);
      const length = [...word].length;
      if (length < MIN_LENGTH || length > MAX_LENGTH) continue;
      if (/[\u0000-\u001f\u007f-\u009f]/.test(word)) continue; // would break the one-per-line form
      if (seen.has(word)) continue;
      seen.add(word);
      kept.push(word);
      lastRank = rank + 1;
      if (kept.length === args.count) break;
    }

    const header = [
      "// GENERATED by scripts/gen-common-passwords.ts; do not edit by hand.",
      `// Source: npm package ${PACKAGE}@${version} (src/passwords.json), licence ${license}:`,
      ...copyright.map((line) => `//   ${line}`),
      "//   The zxcvbn ranked list of passwords most common in leaked-password corpora.",
      `// Kept: the ${kept.length} most common entries of ${MIN_LENGTH}-${MAX_LENGTH} code points (ranks 1-${lastRank}`,
      `// of ${raw.length}; shorter ones are refused by the length rule anyway), in NFKC lower case,`,
      "// most common first, one per line.",
    ].join("\n");
    const body = kept.map(escapeForTemplate).join("\n");
    const source =
      `${header}\n\n` +
      `const LIST = \`${body}\`;\n\n` +
      "/** Common passwords, NFKC-normalised and lower-cased; compare a password in that form. */\n" +
      'export const COMMON_PASSWORDS: ReadonlySet<string> = new Set(LIST.split("\\n"));\n';
    writeFileSync(outFile, source);

    // Read back what was written and check it holds exactly the kept list.
    const mod = (await import(`${outFile}?t=${Date.now()}`)) as { COMMON_PASSWORDS: ReadonlySet<string> };
    const back = [...mod.COMMON_PASSWORDS];
    if (back.length !== kept.length || back.some((w, i) => w !== kept[i])) {
      throw new Error("generated module does not round-trip the list");
    }
    console.log(
      `wrote ${outFile}: ${kept.length} entries (ranks 1-${lastRank} of ${raw.length}) from ${PACKAGE}@${version} (${license}), ${source.length} bytes`,
    );
  } finally {
    fetched.cleanup();
  }
}

await main();
