// A short title after the first answer, made by the same model in the background. It fails
// silently (the title stays "New conversation") and writes its own usage row.
import type { Context } from "hono";
import { type AuthEnv, userTx } from "../_shared/auth.ts";
import { createAdapter } from "../_shared/providers/index.ts";
import type { Prepared } from "./answer.ts";

const instruction =
  "Write a title for this conversation in at most six words. Answer with the title only, without quotes or punctuation at the end.";

export async function generateTitle(c: Context<AuthEnv>, p: Prepared, answer: string): Promise<void> {
  const question = [...p.messages].reverse().find((m) => m.role === "user")?.content ?? "";
  const started = performance.now();
  const completion = await createAdapter(p.conn).complete({
    model: p.model.modelId,
    messages: [
      { role: "system", content: instruction },
      { role: "user", content: `${question.slice(0, 2000)}\n\n${answer.slice(0, 1000)}` },
    ],
    maxOutputTokens: 24,
    quirks: p.model.quirks,
    signal: AbortSignal.timeout(30_000),
  });
  const title = completion.text.replace(/^["'\s]+|["'.\s]+$/g, "").replace(/\s+/g, " ").slice(0, 120);
  await userTx(c, async (tx) => {
    if (title) {
      await tx`update public.conversations set title = ${title}, title_generated = true
               where id = ${p.conversationId} and not title_generated`;
    }
    await tx`select app.record_usage('title', ${p.model.id}, ${p.model.modelId}, ${completion.usage.inputTokens},
      ${completion.usage.outputTokens}, ${Math.round(performance.now() - started)}, null, 'ok', ${p.conversationId})`;
  });
}
