// Splits a migration file into statements the way psql would: semicolons outside quotes,
// identifiers, comments and dollar-quoted bodies. Each statement keeps its starting line.

export interface Statement {
  text: string;
  /** 1-based line in the file where the statement's first character is. */
  line: number;
}

export function splitSql(source: string): Statement[] {
  const out: Statement[] = [];
  let start = 0;
  let i = 0;
  const n = source.length;
  const push = (end: number) => {
    const raw = source.slice(start, end);
    const lead = raw.length - raw.trimStart().length;
    const text = raw.trim();
    if (text && !isOnlyComments(text)) out.push({ text, line: lineAt(source, start + lead) });
    start = end + 1;
  };
  while (i < n) {
    const ch = source[i];
    const next = source[i + 1];
    if (ch === "-" && next === "-") {
      i = indexOrEnd(source, "\n", i);
    } else if (ch === "/" && next === "*") {
      i = skipBlockComment(source, i);
    } else if (ch === "'" || ch === '"') {
      const escapes = ch === "'" && /[eE]/.test(source[i - 1] ?? "") && !/\w/.test(source[i - 2] ?? "");
      i = skipQuoted(source, i, ch, escapes);
    } else if (ch === "$") {
      const tag = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(source.slice(i, i + 64));
      if (tag && !/[\w$]/.test(source[i - 1] ?? "")) {
        const close = source.indexOf(tag[0], i + tag[0].length);
        i = close === -1 ? n : close + tag[0].length;
      } else {
        i++;
      }
    } else if (ch === ";") {
      push(i);
      i++;
    } else {
      i++;
    }
  }
  push(n);
  return out;
}

function indexOrEnd(s: string, needle: string, from: number): number {
  const at = s.indexOf(needle, from);
  return at === -1 ? s.length : at;
}

function skipBlockComment(s: string, i: number): number {
  let depth = 0;
  while (i < s.length) {
    if (s[i] === "/" && s[i + 1] === "*") {
      depth++;
      i += 2;
    } else if (s[i] === "*" && s[i + 1] === "/") {
      depth--;
      i += 2;
      if (depth === 0) return i;
    } else {
      i++;
    }
  }
  return i;
}

function skipQuoted(s: string, i: number, quote: string, backslashEscapes: boolean): number {
  i++;
  while (i < s.length) {
    if (backslashEscapes && s[i] === "\\") {
      i += 2;
    } else if (s[i] === quote) {
      if (s[i + 1] === quote) i += 2; // doubled quote
      else return i + 1;
    } else {
      i++;
    }
  }
  return i;
}

function isOnlyComments(text: string): boolean {
  return text.replace(/--[^\n]*/g, "").replace(/\/\*[\s\S]*?\*\//g, "").trim() === "";
}

function lineAt(s: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset; i++) if (s.charCodeAt(i) === 10) line++;
  return line;
}
