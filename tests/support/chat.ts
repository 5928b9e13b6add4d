// Chat fixtures: an organisation with a provider on a wire-protocol fake and a default model,
// and helpers to read server-sent events whole.
import type { Provider } from "../../shared/providers.ts";
import type { Fake, RecordedRequest } from "../fakes/index.ts";
import { signupOwner, type Persona } from "./personas.ts";
import { api, apiUrl } from "./stack.ts";

export interface ChatOrg {
  owner: Persona;
  provider: Provider;
  /** models.id by provider model id. */
  models: Record<string, string>;
}

/** An organisation whose OpenAI provider points at `fake`, with `defaultModel` as its default. */
export async function chatOrg(fake: Fake, name = "Acme", defaultModel = "gpt-4.1-mini"): Promise<ChatOrg> {
  const owner = await signupOwner(name, "ada");
  const created = await api<Provider>("/admin/providers", {
    token: owner.token,
    json: { type: "openai", name: "OpenAI", base_url: `${fake.url}/v1`, api_key: "sk-test-chat-123456", allow_private_network: true },
  });
  if (created.status !== 201) throw new Error(created.text);
  const list = await api<{ data: Array<{ id: string; model_id: string }> }>(`/admin/models?provider_id=${created.body.id}`, { token: owner.token });
  const models = Object.fromEntries(list.body.data.map((m) => [m.model_id, m.id]));
  await api(`/admin/models/${models[defaultModel]}`, { token: owner.token, method: "PATCH", json: { is_default: true } });
  return { owner, provider: created.body, models };
}

export async function newConversation(p: Persona, body: Record<string, unknown> = {}): Promise<string> {
  const res = await api<{ id: string }>("/chat/conversations", { token: p.token, json: body });
  if (res.status !== 201) throw new Error(res.text);
  return res.body.id;
}

export interface Frame {
  event: string;
  data: unknown;
  raw: string;
}

export function parseFrames(text: string): Frame[] {
  return text
    .split("\n\n")
    .filter((block) => block.trim() && !block.startsWith(":"))
    .map((raw) => {
      const event = /^event: (.*)$/m.exec(raw)?.[1] ?? "message";
      const data = /^data: (.*)$/m.exec(raw)?.[1] ?? "null";
      return { event, data: JSON.parse(data) as unknown, raw: `${raw}\n\n` };
    });
}

/** POST a streamed message and read the whole event stream. */
export async function streamMessage(p: Persona, conversationId: string, body: Record<string, unknown>): Promise<{ status: number; headers: Headers; text: string }> {
  const res = await fetch(`${apiUrl}/chat/conversations/${conversationId}/messages`, {
    method: "POST",
    headers: { authorization: `Bearer ${p.token}`, "content-type": "application/json" },
    body: JSON.stringify({ ...body, stream: true }),
  });
  return { status: res.status, headers: res.headers, text: await res.text() };
}

/** Requests the conversation made, leaving out background title generation. */
export function chatRequests(fake: Fake): RecordedRequest[] {
  return fake.requests.filter((r) => r.op === "chat" && !JSON.stringify(r.body).includes("Write a title for this conversation"));
}

export async function eventually<T>(probe: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 5000): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last = await probe();
  while (!ok(last) && Date.now() < end) {
    await new Promise((r) => setTimeout(r, 50));
    last = await probe();
  }
  return last;
}
