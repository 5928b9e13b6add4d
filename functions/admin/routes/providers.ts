// Admin: LLM providers of the tenant — create (models filled from the catalog), edit, delete,
// write-only keys with an owner-only audited reveal. Calls (test) live in provider-test.ts.
import { Hono } from "hono";
import { type AuthEnv, clientInfo, requireRole, userTx } from "../../_shared/auth.ts";
import { audit } from "../../_shared/audit.ts";
import { config } from "../../_shared/config.ts";
import { AppError } from "../../_shared/errors.ts";
import { checkProviderUrl } from "../../_shared/providers/connection.ts";
import { getProvider, openSecrets, providerColumns, storeSecret } from "../../_shared/provider-store.ts";
import { idParam, readJson } from "../../_shared/validate.ts";
import { defaultBaseUrls, modelCatalog } from "../../../shared/model-catalog.ts";
import { type Provider, providerCreate, providerKeyInput, providerUpdate } from "../../../shared/providers.ts";

export const providerRoutes = new Hono<AuthEnv>();
providerRoutes.use("/providers", requireRole("admin"));
providerRoutes.use("/providers/*", requireRole("admin"));

providerRoutes.get("/providers", async (c) => {
  const rows = await userTx(c, (tx) => tx<Provider[]>`select ${providerColumns(tx)} from public.providers p order by p.name`);
  return c.json({ data: rows });
});

providerRoutes.post("/providers", async (c) => {
  const body = await readJson(c, providerCreate);
  const demo = body.type === "demo";
  if (demo && config().environment === "production") {
    throw new AppError("validation_failed", "type: the offline demo model exists only on the local stack", { field: "type" });
  }
  const baseUrl = demo ? null : (body.base_url ?? defaultBaseUrls[body.type] ?? null);
  if (!demo && !baseUrl) throw new AppError("validation_failed", `base_url: required for ${body.type} providers`, { field: "base_url" });
  if (baseUrl) await checkProviderUrl(baseUrl, body.allow_private_network, "base_url");
  if (body.oauth) await checkProviderUrl(body.oauth.token_url, body.allow_private_network, "oauth.token_url");
  if (body.auth_type === "oauth_client_credentials" && !body.oauth) {
    throw new AppError("validation_failed", "oauth: required for oauth_client_credentials", { field: "oauth" });
  }
  const claims = c.var.claims;
  const row = await userTx(c, async (tx) => {
    const [taken] = await tx`select 1 from public.providers where name = ${body.name}`;
    if (taken) throw new AppError("conflict", "A provider with this name exists.", { code: "name_taken", field: "name" });
    const id = crypto.randomUUID();
    await tx`
      insert into public.providers (id, tenant_id, type, name, base_url, api_version, organization, deployments, extra_params,
        status, auth_type, oauth, features, allow_private_network, restricted)
      values (${id}, ${claims.tenant_id}, ${body.type}, ${body.name}, ${baseUrl}, ${body.api_version ?? null},
        ${body.organization ?? null}, ${tx.json(body.deployments)}, ${tx.json(body.extra_params)}, ${body.status},
        ${body.auth_type}, ${tx.json(body.oauth ?? {})}, ${body.features}, ${body.allow_private_network}, ${body.restricted})`;
    const ref = { tenantId: claims.tenant_id, providerId: id };
    if (body.api_key) await storeSecret(tx, ref, "api_key", body.api_key);
    if (body.oauth_client_secret) await storeSecret(tx, ref, "oauth_client_secret", body.oauth_client_secret);
    if (body.models_from_catalog) {
      for (const [i, m] of (modelCatalog[body.type] ?? []).entries()) {
        await tx`
          insert into public.models (tenant_id, provider_id, model_id, display_name, context_window, max_output_tokens,
            input_price_per_mtok, output_price_per_mtok, capabilities, quirks, sort_order)
          values (${claims.tenant_id}, ${id}, ${m.model_id}, ${m.display_name}, ${m.context_window}, ${m.max_output_tokens},
            ${m.input_price_per_mtok}, ${m.output_price_per_mtok}, ${m.capabilities}, ${tx.json(m.quirks ?? {})}, ${i})`;
      }
    }
    await audit(tx, { tenantId: claims.tenant_id, action: "provider.created", targetType: "provider", targetId: id,
      details: { type: body.type, name: body.name, key_set: Boolean(body.api_key) }, ...clientInfo(c) });
    return await getProvider(tx, id);
  });
  return c.json(row, 201);
});

providerRoutes.get("/providers/:id", async (c) => {
  const id = idParam(c);
  return c.json(await userTx(c, (tx) => getProvider(tx, id)));
});

providerRoutes.patch("/providers/:id", async (c) => {
  const id = idParam(c);
  const body = await readJson(c, providerUpdate);
  const claims = c.var.claims;
  const row = await userTx(c, async (tx) => {
    const before = await getProvider(tx, id);
    const next = { ...before, ...body, oauth: body.oauth ?? before.oauth };
    if (body.base_url !== undefined || body.allow_private_network !== undefined) {
      await checkProviderUrl(next.base_url ?? "", next.allow_private_network, "base_url");
    }
    await tx`
      update public.providers set name = ${next.name}, base_url = ${next.base_url}, api_version = ${next.api_version},
        organization = ${next.organization}, deployments = ${tx.json(next.deployments)}, extra_params = ${tx.json(next.extra_params)},
        status = ${next.status}, auth_type = ${next.auth_type}, oauth = ${tx.json(next.oauth)}, features = ${next.features},
        allow_private_network = ${next.allow_private_network}, restricted = ${next.restricted}, updated_at = now()
      where id = ${id}`;
    await audit(tx, { tenantId: claims.tenant_id, action: "provider.updated", targetType: "provider", targetId: id,
      details: { fields: Object.keys(body) }, ...clientInfo(c) });
    return await getProvider(tx, id);
  });
  return c.json(row);
});

providerRoutes.delete("/providers/:id", async (c) => {
  const id = idParam(c);
  const claims = c.var.claims;
  await userTx(c, async (tx) => {
    const [gone] = await tx<{ name: string }[]>`delete from public.providers where id = ${id} returning name`;
    if (!gone) throw new AppError("not_found", "No such provider.");
    await audit(tx, { tenantId: claims.tenant_id, action: "provider.deleted", targetType: "provider", targetId: id,
      details: { name: gone.name }, ...clientInfo(c) });
  });
  return c.body(null, 204);
});

providerRoutes.put("/providers/:id/key", async (c) => {
  const id = idParam(c);
  const body = await readJson(c, providerKeyInput);
  const claims = c.var.claims;
  const row = await userTx(c, async (tx) => {
    await getProvider(tx, id);
    await storeSecret(tx, { tenantId: claims.tenant_id, providerId: id }, "api_key", body.api_key);
    await audit(tx, { tenantId: claims.tenant_id, action: "provider.key_set", targetType: "provider", targetId: id, ...clientInfo(c) });
    return await getProvider(tx, id);
  });
  return c.json(row);
});

providerRoutes.delete("/providers/:id/key", async (c) => {
  const id = idParam(c);
  const claims = c.var.claims;
  await userTx(c, async (tx) => {
    await getProvider(tx, id);
    const gone = await tx`delete from public.provider_secrets where provider_id = ${id} and kind = 'api_key' returning id`;
    if (gone.length === 0) throw new AppError("not_found", "This provider has no key.");
    await audit(tx, { tenantId: claims.tenant_id, action: "provider.key_removed", targetType: "provider", targetId: id, ...clientInfo(c) });
  });
  return c.body(null, 204);
});

providerRoutes.post("/providers/:id/key/reveal", requireRole("owner"), async (c) => {
  const id = idParam(c);
  const claims = c.var.claims;
  const key = await userTx(c, async (tx) => {
    await getProvider(tx, id);
    const secret = (await openSecrets(tx, claims.tenant_id, id)).get("api_key");
    if (!secret) throw new AppError("not_found", "This provider has no key.");
    await audit(tx, { tenantId: claims.tenant_id, action: "provider.key_revealed", targetType: "provider", targetId: id, ...clientInfo(c) });
    return secret.value;
  });
  c.header("cache-control", "no-store");
  return c.json({ api_key: key });
});
