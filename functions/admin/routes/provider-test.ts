// Admin: POST /providers/:id/test makes a real minimal call (the default or first enabled
// model, else a model listing) and records the outcome and latency on the provider.
import { Hono } from "hono";
import { type AuthEnv, clientInfo, requireRole, userTx } from "../../_shared/auth.ts";
import { audit } from "../../_shared/audit.ts";
import { toAppError } from "../../_shared/errors.ts";
import { getProvider } from "../../_shared/provider-store.ts";
import { connectionFor } from "../../_shared/providers/connection.ts";
import { createAdapter, type ModelQuirks } from "../../_shared/providers/index.ts";
import { idParam } from "../../_shared/validate.ts";

export const providerTestRoutes = new Hono<AuthEnv>();

providerTestRoutes.post("/providers/:id/test", requireRole("admin"), async (c) => {
  const id = idParam(c);
  const claims = c.var.claims;
  const requestId = c.var.requestId;
  // Read and open secrets in one transaction; the upstream call happens outside any.
  const { conn, model } = await userTx(c, async (tx) => {
    const p = await getProvider(tx, id);
    const [m] = await tx<{ model_id: string; quirks: ModelQuirks }[]>`
      select model_id, quirks from public.models where provider_id = ${id} and enabled
      order by is_default desc, sort_order, model_id limit 1`;
    return { conn: await connectionFor(tx, claims.tenant_id, p), model: m };
  });
  const started = performance.now();
  let error: { code: string; message: string } | null = null;
  try {
    const adapter = createAdapter(conn);
    if (model) {
      await adapter.complete({
        model: model.model_id,
        messages: [{ role: "user", content: "Reply with the word OK." }],
        maxOutputTokens: 16,
        quirks: model.quirks,
        requestId,
        signal: AbortSignal.timeout(30_000),
      });
    } else {
      await adapter.listModels(AbortSignal.timeout(30_000));
    }
  } catch (err) {
    const e = toAppError(err, requestId);
    error = { code: e.code, message: e.message };
  }
  const latencyMs = Math.round(performance.now() - started);
  await userTx(c, async (tx) => {
    await tx`update public.providers set last_tested_at = now(), last_test_ok = ${error === null},
               last_test_latency_ms = ${latencyMs}, last_test_error = ${error?.message ?? null}
             where id = ${id}`;
    await audit(tx, { tenantId: claims.tenant_id, action: "provider.tested", targetType: "provider", targetId: id,
      details: { ok: error === null, latency_ms: latencyMs, code: error?.code ?? null }, ...clientInfo(c) });
  });
  return c.json({ ok: error === null, latency_ms: latencyMs, model: model?.model_id ?? null, error });
});
