// The chat API apart from streaming: conversations, precedence of model and temperature,
// the history window, regenerate, titles, export, usage, and other people's conversations.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFake, type Fake } from "../fakes/index.ts";
import { chatOrg, type ChatOrg, chatRequests, eventually, newConversation } from "../support/chat.ts";
import { addUser, signupOwner } from "../support/personas.ts";
import { api, errorCode, rootSql } from "../support/stack.ts";

let fake: Fake;
let org: ChatOrg;

beforeAll(async () => {
  fake = await startFake("openai");
  org = await chatOrg(fake);
});

afterAll(async () => {
  await fake?.close();
});

interface Answer {
  message: { role: string; content: string; status: string; model: string };
  usage: { input_tokens: number; output_tokens: number; cost: number };
}

const send = (conversationId: string, body: Record<string, unknown>, token = org.owner.token) =>
  api<Answer>(`/chat/conversations/${conversationId}/messages`, { token, json: body });

/** The body of the last chat request the fake received. */
const lastBody = () => chatRequests(fake).at(-1)!.body as { model: string; temperature?: number; messages: Array<{ role: string; content: string }> };

describe("a conversation", () => {
  it("answers without streaming, stores both messages and one priced usage row", async () => {
    const id = await newConversation(org.owner);
    const res = await send(id, { content: "hello there" });
    expect(res.status).toBe(200);
    expect(res.body.message).toMatchObject({ role: "assistant", content: "Echo: hello there", status: "complete", model: "gpt-4.1-mini" });
    expect(res.body.usage).toEqual({ input_tokens: 2, output_tokens: 3, cost: Number(((2 * 0.4 + 3 * 1.6) / 1e6).toFixed(8)) });
    const rows = await rootSql()`select source, status, latency_ms, ttft_ms from public.usage_events where conversation_id = ${id} and source = 'chat'`;
    expect(rows).toEqual([expect.objectContaining({ source: "chat", status: "ok" })]);
  });

  it("gets a title in the background after the first answer", async () => {
    const id = await newConversation(org.owner);
    await send(id, { content: "Plan a trip to Lisbon" });
    const conv = await eventually(
      () => api<{ title: string }>(`/chat/conversations/${id}`, { token: org.owner.token }),
      (r) => r.body.title !== "New conversation",
    );
    expect(conv.body.title).toMatch(/Lisbon/);
    const [title] = await rootSql()`select count(*)::int as n from public.usage_events where conversation_id = ${id} and source = 'title'`;
    expect(title?.n).toBe(1);
  });

  it("regenerates the last answer in place", async () => {
    const id = await newConversation(org.owner);
    await send(id, { content: "first try" });
    fake.enqueue({ reply: "a better answer" });
    const again = await api<Answer>(`/chat/conversations/${id}/regenerate`, { token: org.owner.token, method: "POST" });
    expect(again.body.message.content).toBe("a better answer");
    const conv = await api<{ messages: Array<{ role: string; content: string }> }>(`/chat/conversations/${id}`, { token: org.owner.token });
    expect(conv.body.messages.map((m) => [m.role, m.content])).toEqual([["user", "first try"], ["assistant", "a better answer"]]);
  });

  it("lists newest first with a keyset cursor and finds by title", async () => {
    const ids: string[] = [];
    const bea = await addUser(org.owner, "member", "bea");
    for (const title of ["Alpha notes", "Beta plan", "Gamma ideas"]) ids.push(await newConversation(bea, { title }));
    const page1 = await api<{ data: Array<{ id: string }>; next_cursor: string }>("/chat/conversations?limit=2", { token: bea.token });
    expect(page1.body.data.map((c) => c.id)).toEqual([ids[2], ids[1]]);
    const page2 = await api<{ data: Array<{ id: string }>; next_cursor: string | null }>(
      `/chat/conversations?limit=2&cursor=${encodeURIComponent(page1.body.next_cursor)}`, { token: bea.token });
    expect(page2.body.data.map((c) => c.id)).toEqual([ids[0]]);
    expect(page2.body.next_cursor).toBeNull();
    const found = await api<{ data: Array<{ id: string }> }>("/chat/conversations?q=beta", { token: bea.token });
    expect(found.body.data.map((c) => c.id)).toEqual([ids[1]]);
    const bad = await api("/chat/conversations?cursor=nonsense", { token: bea.token });
    expect(errorCode(bad)).toBe("validation_failed");
  });

  it("exports as Markdown and JSON", async () => {
    const id = await newConversation(org.owner, { title: "Export me" });
    await send(id, { content: "what is two plus two" });
    const md = await api(`/chat/conversations/${id}/export?format=md`, { token: org.owner.token });
    expect(md.headers.get("content-type")).toContain("text/markdown");
    expect(md.text).toContain("# Export me");
    expect(md.text).toContain("## You\n\nwhat is two plus two");
    expect(md.text).toContain("## Assistant (gpt-4.1-mini)\n\nEcho: what is two plus two");
    const json = await api<{ title: string; messages: unknown[] }>(`/chat/conversations/${id}/export?format=json`, { token: org.owner.token });
    expect(json.body.title).toBe("Export me");
    expect(json.body.messages).toHaveLength(2);
  });

  it("shows my usage by day and model", async () => {
    const usage = await api<{ total: { requests: number; cost: number }; data: Array<{ model: string; requests: number }> }>("/chat/usage", { token: org.owner.token });
    expect(usage.status).toBe(200);
    expect(usage.body.total.requests).toBeGreaterThan(0);
    expect(usage.body.data.some((r) => r.model === "gpt-4.1-mini")).toBe(true);
  });
});

describe("model and temperature precedence: message > conversation > assistant > tenant default", () => {
  it("picks the most specific choice, and the assistant's system prompt goes first", async () => {
    const { models } = org;
    const assistant = await api<{ id: string }>("/chat/assistants", {
      token: org.owner.token,
      json: { name: "Reviewer", system_prompt: "You review code.", model_id: models["gpt-4o"], temperature: 0.3 },
    });
    expect(assistant.status, assistant.text).toBe(201);
    const cases: Array<[Record<string, unknown>, Record<string, unknown>, string, number | undefined]> = [
      [{}, {}, "gpt-4.1-mini", undefined],
      [{ assistant_id: assistant.body.id }, {}, "gpt-4o", 0.3],
      [{ assistant_id: assistant.body.id, model: "gpt-4.1", temperature: 0.9 }, {}, "gpt-4.1", 0.9],
      [{ assistant_id: assistant.body.id, model: "gpt-4.1" }, { model: "gpt-4o-mini", temperature: 1.5 }, "gpt-4o-mini", 1.5],
    ];
    for (const [conversation, message, model, temperature] of cases) {
      const id = await newConversation(org.owner, conversation);
      const res = await send(id, { content: "which model", ...message });
      expect(res.status, res.text).toBe(200);
      const body = lastBody();
      expect(body.model, JSON.stringify(conversation)).toBe(model);
      expect(body.temperature).toBe(temperature);
      if (conversation.assistant_id) expect(body.messages[0]).toEqual({ role: "system", content: "You review code." });
    }
  });

  it("refuses a model the caller may not use with 403", async () => {
    const restricted = await api<{ id: string }>("/admin/providers", {
      token: org.owner.token,
      json: { type: "openai", name: "Secret lab", base_url: `${fake.url}/v1`, api_key: "sk-lab-123456789", allow_private_network: true, restricted: true, models_from_catalog: false },
    });
    await api("/admin/models", { token: org.owner.token, json: { provider_id: restricted.body.id, model_id: "lab-model" } });
    const mia = await addUser(org.owner, "member", "mia");
    const id = await newConversation(mia);
    const res = await send(id, { content: "let me in", model: "lab-model" }, mia.token);
    expect(res.status).toBe(403);
    expect(errorCode(res)).toBe("model_not_allowed");
    const create = await api("/chat/conversations", { token: mia.token, json: { model: "lab-model" } });
    expect(errorCode(create)).toBe("model_not_allowed");
  });
});

describe("the history window", () => {
  it("sends at most max_history messages, newest last", async () => {
    const globex = await chatOrg(fake, "Globex");
    await api("/admin/tenant", { token: globex.owner.token, method: "PATCH", json: { settings: { max_history: 3 } } });
    const id = await newConversation(globex.owner);
    for (const word of ["one", "two", "three"]) await send(id, { content: word }, globex.owner.token);
    expect(lastBody().messages.map((m) => m.content)).toEqual(["two", "Echo: two", "three"]);
  });

  it("drops the oldest messages that do not fit the model's context window", async () => {
    const small = await api<{ id: string }>("/admin/models", {
      token: org.owner.token,
      json: { provider_id: org.provider.id, model_id: "tiny-context", context_window: 256, max_output_tokens: 64 },
    });
    expect(small.status).toBe(201);
    const id = await newConversation(org.owner, { model: "tiny-context" });
    const long = "word ".repeat(100); // about 125 estimated tokens each
    await send(id, { content: `${long} first` });
    await send(id, { content: "second" });
    const sent = lastBody().messages.map((m) => m.content);
    // Budget 256 - 64 = 192 estimated tokens: "second" (6) and the echoed answer (132) fit,
    // the first question (131) no longer does.
    expect(sent).toEqual([`Echo: ${long} first`, "second"]);
    const tooLong = await send(id, { content: "x".repeat(2000) });
    expect(tooLong.status).toBe(400);
    expect(errorCode(tooLong)).toBe("context_length_exceeded");
  });
});

describe("limits and other people's conversations", () => {
  it("a 1 MB message is 413, a message over 100 000 characters is 400 naming content", async () => {
    const id = await newConversation(org.owner);
    const huge = await api(`/chat/conversations/${id}/messages`, { token: org.owner.token, json: { content: "x".repeat(1_100_000) } });
    expect(huge.status).toBe(413);
    expect(errorCode(huge)).toBe("payload_too_large");
    const long = await send(id, { content: "x".repeat(100_001) });
    expect(long.status).toBe(400);
    expect((long.body as unknown as { error: { field: string } }).error.field).toBe("content");
    const [row] = await rootSql()`select count(*)::int as n from public.messages where conversation_id = ${id}`;
    expect(row?.n).toBe(0);
  });

  it("another user's and another tenant's conversations answer 404 on every endpoint", async () => {
    const id = await newConversation(org.owner);
    await send(id, { content: "private thoughts" });
    const colleague = await addUser(org.owner, "admin", "carl");
    const stranger = await signupOwner("Initech", "ivy");
    for (const intruder of [colleague, stranger]) {
      for (const [method, path, json] of [
        ["GET", `/chat/conversations/${id}`, undefined],
        ["PATCH", `/chat/conversations/${id}`, { title: "mine now" }],
        ["DELETE", `/chat/conversations/${id}`, undefined],
        ["GET", `/chat/conversations/${id}/export`, undefined],
        ["POST", `/chat/conversations/${id}/messages`, { content: "hi" }],
        ["POST", `/chat/conversations/${id}/regenerate`, {}],
      ] as const) {
        const res = await api(path, { token: intruder.token, method, ...(json ? { json } : {}) });
        expect(res.status, `${intruder.email} ${method} ${path}`).toBe(404);
      }
      const list = await api<{ data: Array<{ id: string }> }>("/chat/conversations", { token: intruder.token });
      expect(list.body.data.map((c) => c.id)).not.toContain(id);
    }
    const [row] = await rootSql()`select count(*)::int as n, min(title) as title from public.messages m join public.conversations c on c.id = m.conversation_id where c.id = ${id}`;
    expect(row).toMatchObject({ n: 2 });
  });

  it("readonly users read but cannot start or continue conversations", async () => {
    const rita = await addUser(org.owner, "readonly", "rita");
    const res = await api("/chat/conversations", { token: rita.token, json: {} });
    expect(res.status).toBe(403);
    expect(errorCode(res)).toBe("insufficient_role");
  });
});

describe("the offline demo model", () => {
  it("answers through the same path, clearly labelled", async () => {
    const owner = await signupOwner("Demo", "dan");
    const demo = await api<{ id: string }>("/admin/providers", { token: owner.token, json: { type: "demo", name: "Demo (offline)" } });
    expect(demo.status, demo.text).toBe(201);
    const models = await api<{ data: Array<{ id: string }> }>(`/admin/models?provider_id=${demo.body.id}`, { token: owner.token });
    await api(`/admin/models/${models.body.data[0]!.id}`, { token: owner.token, method: "PATCH", json: { is_default: true } });
    const id = await newConversation(owner);
    const res = await send(id, { content: "hello demo" }, owner.token);
    expect(res.body.message.content).toMatch(/^\[Offline demo model\] You said: "hello demo"/);
    expect(res.body.usage.cost).toBe(0);
  });
});

describe("prompt enhancement", () => {
  it("uses a built-in instruction, then the tenant's enhancement prompt, then the user's own", async () => {
    const owner = (await chatOrg(fake, "Enhance")).owner;
    const plain = await api<{ prompt: string; usage: { output_tokens: number } }>("/chat/prompts/enhance", { token: owner.token, json: { prompt: "write a poem" } });
    expect(plain.status, plain.text).toBe(200);
    expect(plain.body.prompt).toBe("Echo: write a poem");
    expect(lastBody().messages[0]).toMatchObject({ role: "system", content: expect.stringContaining("You improve prompts") });

    const tenantWide = await api("/chat/templates", {
      token: owner.token,
      json: { name: "house-style", content: "Rewrite in our house style: {{prompt}}", is_enhancement: true, scope: "tenant" },
    });
    expect(tenantWide.status, tenantWide.text).toBe(201);
    const member = await addUser(owner, "member", "meg");
    await api("/chat/prompts/enhance", { token: member.token, json: { prompt: "summarise this" } });
    expect(lastBody().messages).toEqual([{ role: "user", content: "Rewrite in our house style: summarise this" }]);

    await api("/chat/templates", { token: member.token, json: { name: "meg-style", content: "Be brief.", is_enhancement: true } });
    await api("/chat/prompts/enhance", { token: member.token, json: { prompt: "summarise this" } });
    expect(lastBody().messages).toEqual([{ role: "system", content: "Be brief." }, { role: "user", content: "summarise this" }]);
    const [row] = await rootSql()`select count(*)::int as n from public.usage_events where user_id = ${member.id} and source = 'enhance'`;
    expect(row?.n).toBe(2);
  });
});
