// POST /conversations/:id/messages and /regenerate: one answer, as JSON or as a stream of
// `delta`, then `done` or `error`. A client that goes away cancels the upstream call at once;
// whatever arrived is kept as `interrupted`, with exactly one usage row in every case.
import { Hono, type Context } from "hono";
import { type AuthEnv, requireRole } from "../../_shared/auth.ts";
import { runInBackground } from "../../_shared/background.ts";
import { type AppError, toAppError } from "../../_shared/errors.ts";
import { createAdapter, type Usage } from "../../_shared/providers/index.ts";
import { sseResponse } from "../../_shared/sse.ts";
import { idParam, readJson } from "../../_shared/validate.ts";
import { messageSend, regenerateRequest } from "../../../shared/chat.ts";
import { finish, type Outcome, type Prepared, prepare } from "../answer.ts";

export const messageRoutes = new Hono<AuthEnv>();
messageRoutes.use("/conversations/:id/*", requireRole("member"));

async function respond(c: Context<AuthEnv>, p: Prepared, stream: boolean): Promise<Response> {
  const adapter = createAdapter(p.conn);
  const request = {
    model: p.model.modelId,
    messages: p.messages,
    temperature: p.temperature,
    maxOutputTokens: p.model.maxOutputTokens,
    quirks: p.model.quirks,
    requestId: c.var.requestId,
  };
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);

  if (!stream) {
    const upstream = new AbortController();
    c.req.raw.signal.addEventListener("abort", () => upstream.abort(c.req.raw.signal.reason), { once: true });
    try {
      const done = await adapter.complete({ ...request, signal: upstream.signal });
      const ms = elapsed();
      return c.json(await finish(c, p, { text: done.text, usage: done.usage, status: "complete", latencyMs: ms, ttftMs: ms }));
    } catch (err) {
      const e = toAppError(err, c.var.requestId);
      await finish(c, p, { text: "", usage: null, status: upstream.signal.aborted ? "interrupted" : "failed",
        errorCode: e.code, latencyMs: elapsed(), ttftMs: null });
      throw e;
    }
  }

  const { response, done } = sseResponse(async (send, clientGone) => {
    const upstream = new AbortController();
    clientGone.addEventListener("abort", () => upstream.abort(clientGone.reason), { once: true });
    let text = "";
    let usage: Usage | null = null;
    let ttftMs: number | null = null;
    let failure: AppError | undefined;
    try {
      for await (const ev of adapter.stream({ ...request, signal: upstream.signal })) {
        if (ev.type === "delta") {
          ttftMs ??= elapsed();
          text += ev.text;
          send("delta", { text: ev.text });
        } else {
          usage = ev.usage;
        }
      }
    } catch (err) {
      if (!clientGone.aborted) failure = toAppError(err, c.var.requestId);
    }
    const outcome: Outcome = {
      text,
      usage,
      status: clientGone.aborted || (failure && text) ? "interrupted" : failure ? "failed" : "complete",
      errorCode: clientGone.aborted ? "client_disconnected" : failure?.code,
      latencyMs: elapsed(),
      ttftMs,
    };
    try {
      const stored = await finish(c, p, outcome);
      if (failure) send("error", failure.body());
      else send("done", stored);
    } catch (err) {
      send("error", toAppError(err, c.var.requestId).body());
    }
  }, { clientSignal: c.req.raw.signal, headers: { "x-request-id": c.var.requestId } });
  // Storing the answer must finish even when the client left and the response is gone.
  runInBackground("chat_stream", () => done);
  return response;
}

messageRoutes.post("/conversations/:id/messages", async (c) => {
  const id = idParam(c);
  const body = await readJson(c, messageSend);
  const prepared = await prepare(c, id, { content: body.content, model: body.model, temperature: body.temperature });
  return respond(c, prepared, body.stream);
});

messageRoutes.post("/conversations/:id/regenerate", async (c) => {
  const id = idParam(c);
  const body = c.req.header("content-type") ? await readJson(c, regenerateRequest) : regenerateRequest.parse(undefined);
  const prepared = await prepare(c, id, { content: null, model: body.model, temperature: body.temperature });
  return respond(c, prepared, body.stream);
});
