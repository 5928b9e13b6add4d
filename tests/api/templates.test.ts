// The prompt library through the chat API: personal and tenant-wide templates, one name per
// tenant, one tenant-wide enhancement prompt, ranked full-text search, rendering with the
// missing variable named, and the same isolation and validation as assistants.
import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { errorCatalog, type ErrorFamily } from "../../shared/errors.ts";
import type { RenderedTemplate, Template } from "../../shared/templates.ts";
import { addUser, type Persona, signupOwner } from "../support/personas.ts";
import { api, type ApiResponse, errorCode, rootSql } from "../support/stack.ts";

const sql = rootSql();
const tag = () => randomUUID().slice(0, 8);

let ada: Persona; // owner of Acme
let alan: Persona; // admin of Acme
let mia: Persona; // member of Acme
let max: Persona; // member of Acme
let rita: Persona; // readonly of Acme
let bob: Persona; // owner of Globex

beforeAll(async () => {
  [ada, bob] = await Promise.all([signupOwner("Acme", "ada"), signupOwner("Globex", "bob")]);
  [alan, mia, max, rita] = await Promise.all([
    addUser(ada, "admin", "alan"), addUser(ada, "member", "mia"), addUser(ada, "member", "max"), addUser(ada, "readonly", "rita"),
  ]);
});

function expectError(res: ApiResponse, family: ErrorFamily, code: string, field?: string): void {
  expect({ status: res.status, code: errorCode(res) }, res.text).toEqual({ status: errorCatalog[family].status, code });
  expect(res.body).toMatchObject({ error: { type: errorCatalog[family].type } });
  if (field) expect(res.body).toMatchObject({ error: { field } });
}

async function create(p: Persona, body: Record<string, unknown>): Promise<Template> {
  const res = await api<Template>("/chat/templates", { token: p.token, json: { name: `t-${tag()}`, content: "Hello", ...body } });
  expect(res.status, res.text).toBe(201);
  return res.body;
}

type Page = { data: Template[]; next_cursor: string | null };
const search = async (p: Persona, query: Record<string, string>) => {
  const res = await api<Page>(`/chat/templates?${new URLSearchParams(query)}`, { token: p.token });
  expect(res.status, res.text).toBe(200);
  return res.body;
};
const names = (page: Page) => page.data.map((t) => t.name);

const render = (p: Persona, id: string, variables?: Record<string, unknown>) =>
  api<RenderedTemplate>(`/chat/templates/${id}/render`, { token: p.token, json: variables ? { variables } : {} });

describe("personal templates", () => {
  it("a member creates, reads, lists, changes and deletes her own; variables come with each", async () => {
    const created = await create(mia, {
      name: "code-review", title: "Review code", content: "Review this {{ language }} code:\n{{code}}\nFocus on {{language}}.",
      category: "engineering", tags: ["Review", "code", "review"],
    });
    expect(created).toMatchObject({
      scope: "personal", owner_id: mia.id, name: "code-review", title: "Review code", category: "engineering",
      tags: ["review", "code"], is_enhancement: false, variables: ["language", "code"], editable: true,
    });
    expect((await api(`/chat/templates/${created.id}`, { token: mia.token })).body).toEqual(created);

    const patched = await api<Template>(`/chat/templates/${created.id}`, {
      token: mia.token, method: "PATCH", json: { content: "Explain {{topic}} simply." },
    });
    expect(patched.status, patched.text).toBe(200);
    // Only the named fields change; variables follow the new content.
    expect(patched.body).toMatchObject({ title: "Review code", category: "engineering", tags: ["review", "code"], variables: ["topic"] });

    expect((await api(`/chat/templates/${created.id}`, { token: mia.token, method: "DELETE" })).status).toBe(204);
    expectError(await api(`/chat/templates/${created.id}`, { token: mia.token }), "not_found", "not_found");
  });

  it("take the name as title when none is given", async () => {
    expect((await create(mia, { name: "untitled-one" })).title).toBe("untitled-one");
  });

  it("are invisible to other members and admins: 404 on read, change, delete, render and search", async () => {
    const own = await create(max, { name: "max-private", title: "Max private zebrafish", content: "Private {{x}}" });
    for (const p of [mia, alan, ada]) {
      expect(names(await search(p, { q: "zebrafish" }))).toEqual([]);
      expectError(await api(`/chat/templates/${own.id}`, { token: p.token }), "not_found", "not_found");
      expectError(await api(`/chat/templates/${own.id}`, { token: p.token, method: "PATCH", json: { title: "Hijacked" } }), "not_found", "not_found");
      expectError(await api(`/chat/templates/${own.id}`, { token: p.token, method: "DELETE" }), "not_found", "not_found");
      expectError(await render(p, own.id, { x: "1" }), "not_found", "not_found");
    }
    expect(names(await search(max, { q: "zebrafish" }))).toEqual(["max-private"]);
  });
});

describe("tenant-wide templates", () => {
  it("only admins create, change and delete them; every member reads and renders them; changes are audited", async () => {
    const shared = await create(alan, { name: "house-style", scope: "tenant", content: "Write as {{brand}}." });
    expect(shared).toMatchObject({ scope: "tenant", owner_id: null, editable: true });
    for (const p of [mia, rita]) {
      expect((await api<Template>(`/chat/templates/${shared.id}`, { token: p.token })).body).toMatchObject({ scope: "tenant", editable: false });
      expect((await render(p, shared.id, { brand: "Acme" })).body).toEqual({ content: "Write as Acme.", variables_used: ["brand"] });
    }
    expectError(await api("/chat/templates", { token: mia.token, json: { name: "mia-shared", content: "x", scope: "tenant" } }), "forbidden", "insufficient_role");
    expectError(await api(`/chat/templates/${shared.id}`, { token: mia.token, method: "PATCH", json: { title: "Mine" } }), "forbidden", "insufficient_role");
    expectError(await api(`/chat/templates/${shared.id}`, { token: mia.token, method: "DELETE" }), "forbidden", "insufficient_role");

    expect((await api(`/chat/templates/${shared.id}`, { token: ada.token, method: "PATCH", json: { title: "House style" } })).status).toBe(200);
    expect((await api(`/chat/templates/${shared.id}`, { token: alan.token, method: "DELETE" })).status).toBe(204);
    const audit = await sql<{ action: string }[]>`
      select action from public.audit_log where tenant_id = ${ada.tenantId} and target_id = ${shared.id} order by id`;
    expect(audit.map((r) => r.action)).toEqual(["template.created", "template.updated", "template.deleted"]);
  });
});

describe("readonly users", () => {
  it("list, read and render, but cannot create, change or delete", async () => {
    const shared = await create(alan, { name: "readonly-visible", scope: "tenant", content: "Hi {{who}}" });
    expect(names(await search(rita, { scope: "tenant" }))).toContain("readonly-visible");
    expect((await render(rita, shared.id, { who: "Rita" })).body).toMatchObject({ content: "Hi Rita" });
    expectError(await api("/chat/templates", { token: rita.token, json: { name: "rita-own", content: "x" } }), "forbidden", "insufficient_role");
    expectError(await api(`/chat/templates/${shared.id}`, { token: rita.token, method: "PATCH", json: { title: "x" } }), "forbidden", "insufficient_role");
    expectError(await api(`/chat/templates/${shared.id}`, { token: rita.token, method: "DELETE" }), "forbidden", "insufficient_role");
  });
});

describe("other tenants", () => {
  it("answer 404 on every endpoint for another tenant's template, shared or personal", async () => {
    const shared = await create(ada, { name: "acme-only", scope: "tenant", title: "Acme walrus", content: "{{x}}" });
    const personal = await create(mia, { name: "mia-only", content: "{{x}}" });
    for (const id of [shared.id, personal.id, randomUUID(), "not-a-uuid"]) {
      expectError(await api(`/chat/templates/${id}`, { token: bob.token }), "not_found", "not_found");
      expectError(await api(`/chat/templates/${id}`, { token: bob.token, method: "PATCH", json: { title: "Globex's" } }), "not_found", "not_found");
      expectError(await api(`/chat/templates/${id}`, { token: bob.token, method: "DELETE" }), "not_found", "not_found");
      expectError(await render(bob, id, { x: "1" }), "not_found", "not_found");
    }
    expect(names(await search(bob, { q: "walrus" }))).toEqual([]);
    // Names are unique per tenant, not across tenants.
    expect((await create(bob, { name: "acme-only" })).name).toBe("acme-only");
  });
});

describe("names", () => {
  it("are unique in the tenant, across owners and scopes: 409 name_taken", async () => {
    await create(mia, { name: "standup-notes" });
    expectError(await api("/chat/templates", { token: max.token, json: { name: "standup-notes", content: "x" } }), "conflict", "name_taken", "name");
    expectError(await api("/chat/templates", { token: alan.token, json: { name: "standup-notes", content: "x", scope: "tenant" } }), "conflict", "name_taken", "name");
    const other = await create(max, { name: "standup-notes-2" });
    expectError(await api(`/chat/templates/${other.id}`, { token: max.token, method: "PATCH", json: { name: "standup-notes" } }), "conflict", "name_taken", "name");
    expect((await api<Template>(`/chat/templates/${other.id}`, { token: max.token })).body.name).toBe("standup-notes-2");
  });
});

describe("the enhancement prompt", () => {
  it("is one tenant-wide template at most (409 enhancement_exists), and can be handed over", async () => {
    const first = await create(alan, { name: "enhance-v1", scope: "tenant", is_enhancement: true, content: "Improve: {{prompt}}" });
    expect(first.is_enhancement).toBe(true);
    expectError(
      await api("/chat/templates", { token: ada.token, json: { name: "enhance-v2", scope: "tenant", is_enhancement: true, content: "Better: {{prompt}}" } }),
      "conflict", "enhancement_exists", "is_enhancement",
    );
    const second = await create(ada, { name: "enhance-v2", scope: "tenant", content: "Better: {{prompt}}" });
    expectError(await api(`/chat/templates/${second.id}`, { token: ada.token, method: "PATCH", json: { is_enhancement: true } }), "conflict", "enhancement_exists");
    await api(`/chat/templates/${first.id}`, { token: ada.token, method: "PATCH", json: { is_enhancement: false } });
    expect((await api<Template>(`/chat/templates/${second.id}`, { token: ada.token, method: "PATCH", json: { is_enhancement: true } })).body.is_enhancement).toBe(true);
  });

  it("may also be one personal template per user, beside the tenant's", async () => {
    const pat = await addUser(ada, "member", "pat");
    await create(pat, { name: `pat-enhance-${tag()}`, is_enhancement: true });
    expectError(await api("/chat/templates", { token: pat.token, json: { name: `pat-enhance-${tag()}`, content: "x", is_enhancement: true } }), "conflict", "enhancement_exists");
    // Another member has her own.
    const quinn = await addUser(ada, "member", "quinn");
    expect((await create(quinn, { name: `quinn-enhance-${tag()}`, is_enhancement: true })).is_enhancement).toBe(true);
  });
});

describe("search", () => {
  let searcher: Persona;

  beforeAll(async () => {
    searcher = await addUser(ada, "member", "sam");
    await create(searcher, { name: "quarterly-report", title: "Quarterly report", content: "Summarise the numbers for {{quarter}}.", category: "finance", tags: ["reporting"] });
    await create(searcher, { name: "report-mention", title: "Meeting minutes", content: "Write minutes; attach the report if any.", category: "office" });
    await create(searcher, { name: "tagged-only", title: "Onboarding checklist", content: "Steps for {{name}}.", category: "hr", tags: ["people-ops", "hiring"] });
    await create(alan, { name: "shared-reporting", scope: "tenant", title: "Shared report template", content: "Company-wide report.", category: "finance" });
  });

  it("finds by title, content and tag words", async () => {
    expect(names(await search(searcher, { q: "onboarding", scope: "personal" }))).toEqual(["tagged-only"]);
    expect(names(await search(searcher, { q: "numbers", scope: "personal" }))).toEqual(["quarterly-report"]);
    expect(names(await search(searcher, { q: "hiring", scope: "personal" }))).toEqual(["tagged-only"]);
    // A hyphenated tag is found whole and by its parts.
    expect(names(await search(searcher, { q: "ops", scope: "personal" }))).toEqual(["tagged-only"]);
  });

  it("ranks a title match above a content mention and includes tenant-wide templates", async () => {
    const page = await search(searcher, { q: "report" });
    expect(names(page)).toEqual(expect.arrayContaining(["quarterly-report", "report-mention", "shared-reporting"]));
    expect(names(page).indexOf("quarterly-report")).toBeLessThan(names(page).indexOf("report-mention"));
    const ranks = page.data.map((t) => t.rank!);
    expect(ranks).toEqual([...ranks].sort((a, b) => b - a));
    expect(ranks.every((r) => r > 0)).toBe(true);
  });

  it("speaks websearch syntax: phrases, or, and -exclusions", async () => {
    expect(names(await search(searcher, { q: '"meeting minutes"', scope: "personal" }))).toEqual(["report-mention"]);
    expect(names(await search(searcher, { q: "report -minutes", scope: "personal" }))).toEqual(["quarterly-report"]);
    expect(names(await search(searcher, { q: "onboarding or numbers", scope: "personal" })).sort()).toEqual(["quarterly-report", "tagged-only"]);
    expect(names(await search(searcher, { q: "!!!", scope: "personal" }))).toEqual([]);
  });

  it("filters by category, tag and scope", async () => {
    expect(names(await search(searcher, { category: "finance" })).sort()).toEqual(["quarterly-report", "shared-reporting"]);
    expect(names(await search(searcher, { category: "finance", scope: "tenant" }))).toEqual(["shared-reporting"]);
    expect(names(await search(searcher, { tag: "Hiring" }))).toEqual(["tagged-only"]);
    expect(names(await search(searcher, { q: "report", category: "office" }))).toEqual(["report-mention"]);
  });

  it("pages the plain list by name with a cursor", async () => {
    const first = await search(searcher, { scope: "personal", limit: "2" });
    expect(names(first)).toEqual(["quarterly-report", "report-mention"]);
    const second = await search(searcher, { scope: "personal", limit: "2", cursor: first.next_cursor! });
    expect(second).toMatchObject({ next_cursor: null });
    expect(names(second)).toEqual(["tagged-only"]);
    expectError(await api(`/chat/templates?q=report&cursor=${first.next_cursor}`, { token: searcher.token }), "validation_failed", "validation_failed", "cursor");
  });
});

describe("rendering", () => {
  let letter: Template;

  beforeAll(async () => {
    letter = await create(mia, { name: "letter", content: "Dear {{ name }},\nabout {{topic}} — \\{{literal}} — {{name}}." });
  });

  it("fills every variable, ignores unknown ones and reports what it used", async () => {
    const res = await render(mia, letter.id, { name: "Zoë 👩‍💻", topic: "{{name}}", unused: "x" });
    expect(res.status, res.text).toBe(200);
    expect(res.body).toEqual({ content: "Dear Zoë 👩‍💻,\nabout {{name}} — {{literal}} — Zoë 👩‍💻.", variables_used: ["name", "topic"] });
  });

  it("answers 400 missing_variable naming the missing variable", async () => {
    const res = await render(mia, letter.id, { name: "Ada" });
    expectError(res, "validation_failed", "missing_variable", "variables.topic");
    expect(res.body).toMatchObject({ error: { message: 'Missing a value for the variable "topic".' } });
    expectError(await render(mia, letter.id), "validation_failed", "missing_variable", "variables.name");
  });

  it("bounds values and the rendered result", async () => {
    expectError(await render(mia, letter.id, { name: "x".repeat(20_001), topic: "t" }), "validation_failed", "validation_failed", "variables.name");
    expectError(await render(mia, letter.id, { name: 42, topic: "t" }), "validation_failed", "validation_failed", "variables.name");
    const wide = await create(mia, { content: Array.from({ length: 6 }, () => "{{v}}").join(" ") });
    expectError(await render(mia, wide.id, { v: "x".repeat(20_000) }), "validation_failed", "rendered_too_long", "variables");
    expect((await render(mia, wide.id, { v: "x".repeat(16_000) })).status).toBe(200);
  });
});

describe("request bodies", () => {
  const cases: Array<[string, Record<string, unknown>, string]> = [
    ["a name with spaces and capitals", { name: "Bad Name", content: "x" }, "name"],
    ["a name with a leading dash", { name: "-bad", content: "x" }, "name"],
    ["a name over 64 characters", { name: "n".repeat(65), content: "x" }, "name"],
    ["a missing content", { name: "no-content" }, "content"],
    ["an empty content", { name: "empty-content", content: "" }, "content"],
    ["a content over 20 000 characters", { name: "long-content", content: "c".repeat(20_001) }, "content"],
    ["a title over 200 characters", { name: "long-title", title: "t".repeat(201), content: "x" }, "title"],
    ["a category over 50 characters", { name: "long-category", category: "c".repeat(51), content: "x" }, "category"],
    ["more than 20 tags", { name: "many-tags", content: "x", tags: Array.from({ length: 21 }, (_, i) => `t${i}`) }, "tags"],
    ["a tag over 40 characters", { name: "long-tag", content: "x", tags: ["ok", "t".repeat(41)] }, "tags.1"],
    ["an empty tag", { name: "empty-tag", content: "x", tags: [" "] }, "tags.0"],
    ["tags as a string", { name: "string-tags", content: "x", tags: "a,b" }, "tags"],
    ["an enhancement flag as text", { name: "text-flag", content: "x", is_enhancement: "yes" }, "is_enhancement"],
    ["an owner chosen by the client", { name: "owned", content: "x", owner_id: randomUUID() }, "owner_id"],
  ];

  it.each(cases)("refuses %s with 400 naming the field, writing nothing", async (_name, json, field) => {
    const count = async () => (await sql<{ n: number }[]>`select count(*)::int as n from public.prompt_templates where tenant_id = ${ada.tenantId}`)[0]?.n;
    const before = await count();
    expectError(await api("/chat/templates", { token: mia.token, json }), "validation_failed", "validation_failed", field);
    expect(await count()).toBe(before);
  });

  it("refuses an empty change, a scope change and a bad list query", async () => {
    const t = await create(mia, {});
    expectError(await api(`/chat/templates/${t.id}`, { token: mia.token, method: "PATCH", json: {} }), "validation_failed", "validation_failed");
    expectError(await api(`/chat/templates/${t.id}`, { token: mia.token, method: "PATCH", json: { scope: "tenant" } }), "validation_failed", "validation_failed", "scope");
    expectError(await api(`/chat/templates?q=${"q".repeat(201)}`, { token: mia.token }), "validation_failed", "validation_failed", "q");
    expectError(await api("/chat/templates?cursor=abc", { token: mia.token }), "validation_failed", "validation_failed", "cursor");
    expectError(await api("/chat/templates?sort=name", { token: mia.token }), "validation_failed", "validation_failed", "sort");
  });
});
