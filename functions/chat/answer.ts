// One model answer in a conversation, for send and regenerate alike: prepare (store the user
// message, pick the model, build the history) in one transaction, call the provider outside
// any transaction, then store the answer and its usage row exactly once.
import type { Context } from "hono";
import { type AuthEnv, userTx } from "../_shared/auth.ts";
import { runInBackground } from "../_shared/background.ts";
import { AppError } from "../_shared/errors.ts";
import { getProvider } from "../_shared/provider-store.ts";
import { connectionFor } from "../_shared/providers/connection.ts";
import { type ChatMessage, type ProviderConnection, type Usage } from "../_shared/providers/index.ts";
import type { ChatMessageRow, UsageSummary } from "../../shared/chat.ts";
import { estimateTokens, historyWindow } from "./history.ts";
import { type ChosenModel, chooseModel, type Preferences } from "./model-choice.ts";
import { generateTitle } from "./title.ts";

export interface Prepared {
  conversationId: string;
  model: ChosenModel;
  temperature: number | undefined;
  conn: ProviderConnection;
  messages: ChatMessage[];
  firstAnswer: boolean;
}

export interface Outcome {
  text: string;
  usage: Usage | null;
  status: "complete" | "interrupted" | "failed";
  errorCode?: string;
  latencyMs: number;
  ttftMs: number | null;
}

const DEFAULT_MAX_HISTORY = 50;

/** Store the user's message (unless regenerating) and gather everything the call needs. */
export async function prepare(
  c: Context<AuthEnv>,
  conversationId: string,
  input: { content: string | null } & Preferences,
): Promise<Prepared> {
  const claims = c.var.claims;
  return await userTx(c, async (tx) => {
    const [conv] = await tx<{ model_id: string | null; temperature: string | null; assistant_id: string | null; title_generated: boolean }[]>`
      select model_id, temperature, assistant_id, title_generated from public.conversations where id = ${conversationId} for update`;
    if (!conv) throw new AppError("not_found", "No such conversation.");
    if (input.content === null) {
      // Regenerate: the last answer goes; the last user message is asked again.
      const [last] = await tx<{ id: string; role: string }[]>`
        select id, role from public.messages where conversation_id = ${conversationId} order by seq desc limit 1`;
      if (!last) throw new AppError("conflict", "There is nothing to regenerate yet.", { code: "nothing_to_regenerate" });
      if (last.role === "assistant") await tx`delete from public.messages where id = ${last.id}`;
    } else {
      await tx`insert into public.messages (tenant_id, conversation_id, owner_id, role, content)
               values (${claims.tenant_id}, ${conversationId}, ${claims.sub}, 'user', ${input.content})`;
    }
    const [assistant] = conv.assistant_id
      ? await tx<{ system_prompt: string; model_id: string | null; temperature: string | null }[]>`
          select system_prompt, model_id, temperature from public.assistants where id = ${conv.assistant_id}`
      : [];
    const { model, temperature } = await chooseModel(
      tx,
      { model: input.model, temperature: input.temperature },
      { model: conv.model_id, temperature: numberOrNull(conv.temperature) },
      { model: assistant?.model_id, temperature: numberOrNull(assistant?.temperature) },
    );
    const [tenant] = await tx<{ max_history: number | null }[]>`
      select (settings ->> 'max_history')::int as max_history from public.tenants where id = ${claims.tenant_id}`;
    const maxHistory = tenant?.max_history ?? DEFAULT_MAX_HISTORY;
    const rows = await tx<{ role: "user" | "assistant"; content: string }[]>`
      select role, content from (
        select seq, role, content from public.messages
        where conversation_id = ${conversationId} and status <> 'failed' and role in ('user', 'assistant') and content <> ''
        order by seq desc limit ${maxHistory}) recent
      order by seq`;
    if (rows.at(-1)?.role !== "user") throw new AppError("conflict", "The last message is not a question.", { code: "nothing_to_answer" });
    const messages = historyWindow(rows, {
      systemPrompt: assistant?.system_prompt,
      maxHistory,
      contextWindow: model.contextWindow,
      maxOutputTokens: model.maxOutputTokens,
    });
    const conn = await connectionFor(tx, claims.tenant_id, await getProvider(tx, model.providerId));
    if (model.deploymentName) conn.deployments = { ...conn.deployments, [model.modelId]: model.deploymentName };
    const [answers] = await tx<{ n: number }[]>`
      select count(*)::int as n from public.messages where conversation_id = ${conversationId} and role = 'assistant'`;
    return { conversationId, model, temperature, conn, messages, firstAnswer: !conv.title_generated && answers?.n === 0 };
  });
}

/** Usage when the provider never said (a cut or a disconnect): estimated from the text. */
export function estimatedUsage(p: Prepared, text: string): Usage {
  return {
    inputTokens: p.messages.reduce((n, m) => n + estimateTokens(m.content), 0),
    outputTokens: text ? estimateTokens(text) : 0,
  };
}

/** Store the answer and its usage row, once; start the title in the background after a first answer. */
export async function finish(
  c: Context<AuthEnv>,
  p: Prepared,
  o: Outcome,
): Promise<{ message: ChatMessageRow; usage: UsageSummary }> {
  const claims = c.var.claims;
  const usage = o.usage ?? estimatedUsage(p, o.text);
  const result = await userTx(c, async (tx) => {
    const [message] = await tx<ChatMessageRow[]>`
      insert into public.messages (tenant_id, conversation_id, owner_id, role, content, model, status, error_code,
                                   input_tokens, output_tokens)
      values (${claims.tenant_id}, ${p.conversationId}, ${claims.sub}, 'assistant', ${o.text}, ${p.model.modelId},
              ${o.status}, ${o.errorCode ?? null}, ${usage.inputTokens}, ${usage.outputTokens})
      returning id, seq::int, role, content, model, status, error_code, input_tokens, output_tokens, created_at`;
    const [cost] = await tx<{ cost: number }[]>`
      select app.record_usage('chat', ${p.model.id}, ${p.model.modelId}, ${usage.inputTokens}, ${usage.outputTokens},
        ${o.latencyMs}, ${o.ttftMs}, ${o.status === "complete" ? "ok" : o.status}, ${p.conversationId})::float8 as cost`;
    await tx`update public.conversations set last_message_at = now(), updated_at = now() where id = ${p.conversationId}`;
    return { message: message!, usage: { input_tokens: usage.inputTokens, output_tokens: usage.outputTokens, cost: cost?.cost ?? 0 } };
  });
  if (p.firstAnswer && o.status === "complete") {
    runInBackground("conversation_title", () => generateTitle(c, p, o.text));
  }
  return result;
}

function numberOrNull(v: string | number | null | undefined): number | null {
  return v === null || v === undefined ? null : Number(v);
}
