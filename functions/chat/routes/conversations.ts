// Conversations of the caller: create, list (newest first, keyset pages, title search), get
// with paged messages, change settings, delete, export as Markdown or JSON.
import { Hono } from "hono";
import { z } from "zod";
import { type AuthEnv, requireRole, userTx } from "../../_shared/auth.ts";
import type { Tx } from "../../_shared/db.ts";
import { AppError } from "../../_shared/errors.ts";
import { idParam, likePattern, parse, readJson, readQuery } from "../../_shared/validate.ts";
import {
  type ChatMessageRow,
  conversationCreate,
  conversationListQuery,
  conversationUpdate,
  messagePageQuery,
} from "../../../shared/chat.ts";
import { chooseModel } from "../model-choice.ts";

export const conversationRoutes = new Hono<AuthEnv>();

interface ConversationRow {
  id: string;
  title: string;
  model_id: string | null;
  temperature: number | null;
  assistant_id: string | null;
  archived: boolean;
  created_at: Date;
  last_message_at: Date;
}

const columns = (tx: Tx) => tx`
  id, title, model_id, temperature::float8 as temperature, assistant_id, archived, created_at, last_message_at`;

async function getConversation(tx: Tx, id: string): Promise<ConversationRow> {
  const [row] = await tx<ConversationRow[]>`select ${columns(tx)} from public.conversations where id = ${id}`;
  if (!row) throw new AppError("not_found", "No such conversation.");
  return row;
}

/** A model reference from the API, checked usable, stored as the model row's id. */
async function modelIdFor(tx: Tx, ref: string | null | undefined): Promise<string | null | undefined> {
  if (ref === undefined || ref === null) return ref;
  return (await chooseModel(tx, { model: ref })).model.id;
}

async function assistantFor(tx: Tx, id: string | null | undefined): Promise<void> {
  if (!id) return;
  const [row] = await tx`select 1 from public.assistants where id = ${id}`;
  if (!row) throw new AppError("not_found", "No such assistant.", { field: "assistant_id" });
}

// Keyset cursor: "<last_message_at ISO>|<id>".
const cursorSchema = z.string().regex(/^\d{4}-\d\d-\d\dT[\d:.]+Z\|[0-9a-f-]{36}$/, "is not a cursor from this API");

conversationRoutes.get("/conversations", async (c) => {
  const q = readQuery(c, conversationListQuery);
  const [at = "", id = ""] = q.cursor ? parse(cursorSchema, q.cursor).split("|") : [];
  const rows = await userTx(c, (tx) => tx<ConversationRow[]>`
    select ${columns(tx)} from public.conversations
    where archived = ${q.archived}
      ${q.q ? tx`and title ilike ${likePattern(q.q)}` : tx``}
      ${at ? tx`and (last_message_at, id) < (${at}::timestamptz, ${id}::uuid)` : tx``}
    order by last_message_at desc, id desc limit ${q.limit + 1}`);
  const page = rows.slice(0, q.limit);
  const last = page.at(-1);
  return c.json({
    data: page,
    next_cursor: rows.length > q.limit && last ? `${last.last_message_at.toISOString()}|${last.id}` : null,
  });
});

conversationRoutes.post("/conversations", requireRole("member"), async (c) => {
  const body = await readJson(c, conversationCreate);
  const claims = c.var.claims;
  const row = await userTx(c, async (tx) => {
    await assistantFor(tx, body.assistant_id);
    const modelId = await modelIdFor(tx, body.model);
    const [created] = await tx<ConversationRow[]>`
      insert into public.conversations (tenant_id, owner_id, title, title_generated, model_id, temperature, assistant_id)
      values (${claims.tenant_id}, ${claims.sub}, ${body.title ?? "New conversation"}, ${Boolean(body.title)},
              ${modelId ?? null}, ${body.temperature ?? null}, ${body.assistant_id ?? null})
      returning ${columns(tx)}`;
    return created!;
  });
  return c.json(row, 201);
});

conversationRoutes.get("/conversations/:id", async (c) => {
  const id = idParam(c);
  const q = readQuery(c, messagePageQuery);
  const result = await userTx(c, async (tx) => {
    const conversation = await getConversation(tx, id);
    const rows = await tx<ChatMessageRow[]>`
      select id, seq::int, role, content, model, status, error_code, input_tokens, output_tokens, created_at
      from public.messages where conversation_id = ${id} ${q.before ? tx`and seq < ${q.before}` : tx``}
      order by seq desc limit ${q.limit + 1}`;
    const page = rows.slice(0, q.limit).reverse();
    return { ...conversation, messages: page, older_before: rows.length > q.limit ? page[0]!.seq : null };
  });
  return c.json(result);
});

conversationRoutes.patch("/conversations/:id", requireRole("member"), async (c) => {
  const id = idParam(c);
  const body = await readJson(c, conversationUpdate);
  const row = await userTx(c, async (tx) => {
    const before = await getConversation(tx, id);
    await assistantFor(tx, body.assistant_id);
    const modelId = await modelIdFor(tx, body.model);
    const [updated] = await tx<ConversationRow[]>`
      update public.conversations set
        title = ${body.title ?? before.title},
        title_generated = ${body.title !== undefined ? true : tx`title_generated`},
        model_id = ${modelId === undefined ? before.model_id : modelId},
        temperature = ${body.temperature === undefined ? before.temperature : body.temperature},
        assistant_id = ${body.assistant_id === undefined ? before.assistant_id : body.assistant_id},
        archived = ${body.archived ?? before.archived},
        updated_at = now()
      where id = ${id} returning ${columns(tx)}`;
    return updated!;
  });
  return c.json(row);
});

conversationRoutes.delete("/conversations/:id", async (c) => {
  const id = idParam(c);
  await userTx(c, async (tx) => {
    const gone = await tx`delete from public.conversations where id = ${id} returning id`;
    if (gone.length === 0) throw new AppError("not_found", "No such conversation.");
  });
  return c.body(null, 204);
});

conversationRoutes.get("/conversations/:id/export", async (c) => {
  const id = idParam(c);
  const { format } = readQuery(c, z.strictObject({ format: z.enum(["md", "json"]).default("md") }));
  const { conversation, messages } = await userTx(c, async (tx) => ({
    conversation: await getConversation(tx, id),
    messages: await tx<ChatMessageRow[]>`
      select id, seq::int, role, content, model, status, error_code, input_tokens, output_tokens, created_at
      from public.messages where conversation_id = ${id} order by seq`,
  }));
  const filename = `${conversation.title.replace(/[^\p{L}\p{N} _-]/gu, "").trim().slice(0, 80) || "conversation"}.${format}`;
  c.header("content-disposition", `attachment; filename*=UTF-8''${encodeURIComponent(filename)}`);
  if (format === "json") return c.json({ ...conversation, messages });
  const md = [
    `# ${conversation.title}`,
    "",
    `_Exported from Atrium on ${new Date().toISOString().slice(0, 10)}_`,
    ...messages.flatMap((m) => [
      "",
      `## ${m.role === "user" ? "You" : m.role === "assistant" ? `Assistant${m.model ? ` (${m.model})` : ""}` : "System"}` +
        (m.status === "complete" ? "" : ` — ${m.status}`),
      "",
      m.content,
    ]),
    "",
  ].join("\n");
  return c.body(md, 200, { "content-type": "text/markdown; charset=utf-8" });
});
