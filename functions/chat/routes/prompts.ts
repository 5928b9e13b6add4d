// POST /prompts/enhance: rewrite a prompt to be clearer with the caller's enhancement prompt
// (their own, else the tenant's, else a built-in one) through a model they may use.
import { Hono } from "hono";
import { type AuthEnv, requireRole, userTx } from "../../_shared/auth.ts";
import { getProvider } from "../../_shared/provider-store.ts";
import { connectionFor } from "../../_shared/providers/connection.ts";
import { createAdapter } from "../../_shared/providers/index.ts";
import { renderTemplate } from "../../_shared/templates.ts";
import { readJson } from "../../_shared/validate.ts";
import { enhanceRequest } from "../../../shared/chat.ts";
import { chooseModel } from "../model-choice.ts";

export const promptRoutes = new Hono<AuthEnv>();

const builtIn =
  "You improve prompts for large language models. Rewrite the user's prompt so it is specific, " +
  "unambiguous and complete: state the goal, the context, the constraints and the desired output format. " +
  "Keep the user's language and intent. Answer with the improved prompt only.";

promptRoutes.post("/prompts/enhance", requireRole("member"), async (c) => {
  const body = await readJson(c, enhanceRequest);
  const claims = c.var.claims;
  const { conn, model, instruction } = await userTx(c, async (tx) => {
    const [own] = await tx<{ content: string }[]>`
      select content from public.prompt_templates where is_enhancement
      order by (owner_id = ${claims.sub}) desc nulls last limit 1`;
    const { model } = await chooseModel(tx, { model: body.model });
    return { conn: await connectionFor(tx, claims.tenant_id, await getProvider(tx, model.providerId)), model, instruction: own?.content ?? builtIn };
  });
  // A template that names {{prompt}} is the whole request; otherwise it is the system prompt.
  const templated = /\{\{\s*prompt\s*\}\}/.test(instruction);
  const messages = templated
    ? [{ role: "user" as const, content: renderTemplate(instruction, { prompt: body.prompt }).content }]
    : [{ role: "system" as const, content: instruction }, { role: "user" as const, content: body.prompt }];
  const started = performance.now();
  const done = await createAdapter(conn).complete({
    model: model.modelId,
    messages,
    maxOutputTokens: Math.min(model.maxOutputTokens, 4096),
    quirks: model.quirks,
    requestId: c.var.requestId,
    signal: c.req.raw.signal,
  });
  const latency = Math.round(performance.now() - started);
  const [cost] = await userTx(c, (tx) => tx<{ cost: number }[]>`
    select app.record_usage('enhance', ${model.id}, ${model.modelId}, ${done.usage.inputTokens}, ${done.usage.outputTokens},
      ${latency}, ${latency}, 'ok')::float8 as cost`);
  return c.json({
    prompt: done.text.trim(),
    model: model.modelId,
    usage: { input_tokens: done.usage.inputTokens, output_tokens: done.usage.outputTokens, cost: cost?.cost ?? 0 },
  });
});
