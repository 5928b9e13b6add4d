// Prompt-template rendering: placeholders with and without spaces, escapes, repeated and
// unused variables, unicode, one-pass substitution, and the errors a client sees.
import { describe, expect, it } from "vitest";
import { AppError } from "../../functions/_shared/errors.ts";
import { renderTemplate, templateVariables } from "../../functions/_shared/templates.ts";
import { templateRender } from "../../shared/templates.ts";

/** The error body renderTemplate would answer with. */
function failure(content: string, values: Record<string, string>, max?: number) {
  try {
    renderTemplate(content, values, max);
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    return { status: (err as AppError).status, ...(err as AppError).body().error };
  }
  throw new Error("rendered without an error");
}

describe("templateVariables", () => {
  it("lists each variable once, in order of first appearance", () => {
    expect(templateVariables("{{b}} and {{ a }} then {{b}} and {{  c\t}}")).toEqual(["b", "a", "c"]);
  });

  it("accepts letters, digits, _ . - after a letter or underscore, up to 64 characters", () => {
    const long = `v${"x".repeat(63)}`;
    expect(templateVariables(`{{_x}} {{user.name}} {{due-date}} {{A1}} {{${long}}} {{${long}x}}`)).toEqual([
      "_x", "user.name", "due-date", "A1", long,
    ]);
  });

  it("leaves what is not a placeholder alone: bad names, newlines, single braces, escapes", () => {
    expect(templateVariables("{{1st}} {{}} {{ a b }} {{\nx\n}} {x} { {y} } \\{{escaped}} {{ .dot }}")).toEqual([]);
  });

  it("is empty for a template without placeholders", () => {
    expect(templateVariables("Summarise this text.")).toEqual([]);
  });
});

describe("renderTemplate", () => {
  it("replaces placeholders with or without spaces and reports the variables used", () => {
    expect(renderTemplate("Dear {{name}}, re: {{ topic }}.", { name: "Ada", topic: "engines" })).toEqual({
      content: "Dear Ada, re: engines.",
      variables_used: ["name", "topic"],
    });
  });

  it("fills every occurrence of a repeated variable", () => {
    expect(renderTemplate("{{x}}-{{ x }}-{{x }}", { x: "7" })).toEqual({ content: "7-7-7", variables_used: ["x"] });
  });

  it("ignores values the template does not use", () => {
    expect(renderTemplate("Hi {{name}}", { name: "Bob", unused: "zzz", constructor: "no" })).toEqual({
      content: "Hi Bob",
      variables_used: ["name"],
    });
  });

  it("writes \\{{ as a literal {{ and does not read a placeholder after it", () => {
    expect(renderTemplate("Use \\{{name}} for {{name}}.", { name: "Ada" })).toEqual({
      content: "Use {{name}} for Ada.",
      variables_used: ["name"],
    });
    expect(renderTemplate("\\{{ not_a_var }}", {})).toEqual({ content: "{{ not_a_var }}", variables_used: [] });
  });

  it("inserts values as written, in one pass: a value's own {{…}} and $-patterns stay literal", () => {
    expect(renderTemplate("A={{a}} B={{b}}", { a: "{{b}}", b: "$& $1 $$" })).toEqual({
      content: "A={{b}} B=$& $1 $$",
      variables_used: ["a", "b"],
    });
  });

  it("keeps unicode in content, values and around placeholders", () => {
    expect(renderTemplate("🌍 {{greeting}}, {{名前}}! — {{ who }}…", { greeting: "Grüß Gott", who: "Zoë 👩‍💻" })).toEqual({
      content: "🌍 Grüß Gott, {{名前}}! — Zoë 👩‍💻…",
      variables_used: ["greeting", "who"],
    });
  });

  it("allows an empty value", () => {
    expect(renderTemplate("[{{x}}]", { x: "" }).content).toBe("[]");
  });

  it("refuses a missing variable with 400 missing_variable naming it in message and field", () => {
    expect(failure("Hello {{ name }}, about {{topic}}", { name: "Ada" })).toEqual({
      status: 400,
      type: "invalid_request_error",
      code: "missing_variable",
      message: 'Missing a value for the variable "topic".',
      field: "variables.topic",
    });
  });

  it("names all missing variables, the first in field, and stays short", () => {
    expect(failure("{{a}} {{b}} {{c}}", { b: "x" })).toMatchObject({ message: 'Missing values for the variables "a", "c".', field: "variables.a" });
    const many = Array.from({ length: 50 }, (_, i) => `{{v${i}}}`).join(" ");
    const e = failure(many, {});
    expect(e.message).toContain("and 45 more");
    expect(e.message.length).toBeLessThan(200);
  });

  it("does not find a variable on Object.prototype", () => {
    expect(failure("{{constructor}} {{toString}}", {})).toMatchObject({ code: "missing_variable", field: "variables.constructor" });
  });

  it("refuses a result longer than the bound before building it", () => {
    const content = Array.from({ length: 1000 }, () => "{{v}}").join("");
    expect(failure(content, { v: "x".repeat(20_000) })).toMatchObject({ status: 400, code: "rendered_too_long", field: "variables" });
    expect(renderTemplate("{{v}}{{v}}", { v: "xyz" }, 6).content).toBe("xyzxyz");
    expect(failure("{{v}}{{v}}", { v: "xyz" }, 5)).toMatchObject({ code: "rendered_too_long" });
  });
});

describe("the render request schema", () => {
  it("defaults variables to {} and bounds each value", () => {
    expect(templateRender.parse({})).toEqual({ variables: {} });
    expect(templateRender.safeParse({ variables: { a: "x".repeat(20_000) } }).success).toBe(true);
    const long = templateRender.safeParse({ variables: { a: "x".repeat(20_001) } });
    expect(long.success).toBe(false);
    expect(long.error?.issues[0]?.path).toEqual(["variables", "a"]);
  });

  it("refuses values that are not strings and more than 200 variables", () => {
    expect(templateRender.safeParse({ variables: { a: 1 } }).success).toBe(false);
    const many = Object.fromEntries(Array.from({ length: 201 }, (_, i) => [`v${i}`, "x"]));
    expect(templateRender.safeParse({ variables: many }).success).toBe(false);
  });
});
