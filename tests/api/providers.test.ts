// Providers, keys, models and access through the admin and chat APIs, calling the
// wire-protocol fakes through the official SDKs: what an admin does on day one, and what a
// member then sees.
import { createServer, type Server } from "node:http";
import { readFile } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inject } from "vitest";
import type { Provider } from "../../shared/providers.ts";
import { startFake, type Fake } from "../fakes/index.ts";
import { addUser, signupOwner, type Persona } from "../support/personas.ts";
import { api, errorCode, rootSql } from "../support/stack.ts";

const canary = "sk-canary-7d1e0c55b2f94e8a9c3d";
let openai: Fake;
let anthropic: Fake;
let gemini: Fake;
let ada: Persona;

beforeAll(async () => {
  [openai, anthropic, gemini] = await Promise.all([startFake("openai"), startFake("anthropic"), startFake("gemini")]);
  ada = await signupOwner("Acme", "ada");
});

afterAll(async () => {
  await Promise.all([openai?.close(), anthropic?.close(), gemini?.close()]);
});

async function createProvider(owner: Persona, body: Record<string, unknown>): Promise<Provider> {
  const res = await api<Provider>("/admin/providers", { token: owner.token, json: { allow_private_network: true, ...body } });
  expect(res.status, res.text).toBe(201);
  return res.body;
}

interface TestResult {
  ok: boolean;
  latency_ms: number;
  model: string | null;
  error: { code: string } | null;
}

describe("adding each provider type", () => {
  it("OpenAI: models from the catalog, a masked write-only key, a real test call", async () => {
    const p = await createProvider(ada, { type: "openai", name: "OpenAI", base_url: `${openai.url}/v1`, api_key: canary });
    expect(p.key_mask).toBe("sk-…9c3d");
    const models = await api<{ data: Array<{ id: string; model_id: string }> }>(`/admin/models?provider_id=${p.id}`, { token: ada.token });
    expect(models.body.data.map((m) => m.model_id)).toContain("gpt-4.1");
    const mini = models.body.data.find((m) => m.model_id === "gpt-4.1-mini")!;
    expect((await api(`/admin/models/${mini.id}`, { token: ada.token, method: "PATCH", json: { is_default: true, input_price_per_mtok: 0.5 } })).status).toBe(200);

    openai.reset();
    const test = await api<TestResult>(`/admin/providers/${p.id}/test`, { token: ada.token, method: "POST" });
    expect(test.body).toMatchObject({ ok: true, model: "gpt-4.1-mini", error: null });
    expect(openai.requests[0]?.headers.authorization).toBe(`Bearer ${canary}`);
    const after = await api<Provider>(`/admin/providers/${p.id}`, { token: ada.token });
    expect(after.body.last_test_ok).toBe(true);
    expect(after.body.last_test_latency_ms).toBeGreaterThanOrEqual(0);
  });

  it("Anthropic and Gemini test against their own wire protocols", async () => {
    const claude = await createProvider(ada, { type: "anthropic", name: "Anthropic", base_url: anthropic.url, api_key: "sk-ant-test-key-123456" });
    const test = await api<TestResult>(`/admin/providers/${claude.id}/test`, { token: ada.token, method: "POST" });
    expect(test.body).toMatchObject({ ok: true, error: null });
    expect(anthropic.requests.at(-1)?.path).toBe("/v1/messages");

    const google = await createProvider(ada, { type: "google", name: "Gemini", base_url: gemini.url, api_key: "AIza-test-key-123456" });
    const g = await api<TestResult>(`/admin/providers/${google.id}/test`, { token: ada.token, method: "POST" });
    expect(g.body).toMatchObject({ ok: true, error: null });
    expect(gemini.requests.at(-1)?.headers["x-goog-api-key"]).toBe("AIza-test-key-123456");
  });

  it("Mistral, xAI and an OpenAI-compatible server speak the OpenAI protocol at their base URL", async () => {
    for (const [type, key] of [["mistral", "mistral-key-123456"], ["xai", "xai-key-1234567890"], ["openai_compatible", "ollama-key-12345"]] as const) {
      const p = await createProvider(ada, { type, name: `Compat ${type}`, base_url: `${openai.url}/v1`, api_key: key, models_from_catalog: type !== "openai_compatible" });
      if (type === "openai_compatible") await api("/admin/models", { token: ada.token, json: { provider_id: p.id, model_id: "llama3.2" } });
      openai.reset();
      const test = await api<TestResult>(`/admin/providers/${p.id}/test`, { token: ada.token, method: "POST" });
      expect(test.body, type).toMatchObject({ ok: true, error: null });
      expect(openai.requests[0]?.headers.authorization).toBe(`Bearer ${key}`);
    }
  });

  it("Azure OpenAI: deployment path, api-version and api-key header", async () => {
    const az = await createProvider(ada, {
      type: "azure_openai", name: "Azure", base_url: openai.url, api_version: "2024-10-21",
      deployments: { "gpt-4o": "prod-gpt4o" }, api_key: "azure-key-0123456789", models_from_catalog: false,
    });
    await api("/admin/models", { token: ada.token, json: { provider_id: az.id, model_id: "gpt-4o" } });
    openai.reset();
    const test = await api<TestResult>(`/admin/providers/${az.id}/test`, { token: ada.token, method: "POST" });
    expect(test.body.ok).toBe(true);
    const req = openai.requests[0]!;
    expect(req.deployment).toBe("prod-gpt4o");
    expect(req.apiVersion).toBe("2024-10-21");
    expect(req.headers["api-key"]).toBe("azure-key-0123456789");
  });

  it("a failing upstream is recorded on the provider without its text", async () => {
    const p = await createProvider(ada, { type: "openai_compatible", name: "Broken", base_url: `${openai.url}/v1`, api_key: "sk-whatever-123456" });
    await api("/admin/models", { token: ada.token, json: { provider_id: p.id, model_id: "llama3" } });
    openai.enqueue({ status: 401, message: "upstream secret detail" });
    const test = await api<TestResult>(`/admin/providers/${p.id}/test`, { token: ada.token, method: "POST" });
    expect(test.body.ok).toBe(false);
    expect(test.body.error?.code).toBe("provider_auth_failed");
    expect(test.text).not.toContain("upstream secret detail");
    const after = await api<Provider>(`/admin/providers/${p.id}`, { token: ada.token });
    expect(after.body.last_test_ok).toBe(false);
  });
});

describe("keys", () => {
  it("are never listed, are revealed only to owners, and every reveal is audited", async () => {
    const p = await createProvider(ada, { type: "openai", name: "Keys", base_url: `${openai.url}/v1`, api_key: canary, models_from_catalog: false });
    const list = await api("/admin/providers", { token: ada.token });
    expect(list.text).not.toContain(canary);
    const admin = await addUser(ada, "admin", "alan");
    const denied = await api(`/admin/providers/${p.id}/key/reveal`, { token: admin.token, method: "POST" });
    expect(denied.status).toBe(403);
    const shown = await api<{ api_key: string }>(`/admin/providers/${p.id}/key/reveal`, { token: ada.token, method: "POST" });
    expect(shown.body.api_key).toBe(canary);
    const [row] = await rootSql()`select count(*)::int as n from public.audit_log where tenant_id = ${ada.tenantId}
      and action = 'provider.key_revealed' and target_id = ${p.id}`;
    expect(row?.n).toBe(1);

    const replaced = await api<Provider>(`/admin/providers/${p.id}/key`, { token: ada.token, method: "PUT", json: { api_key: "sk-second-key-abcdef" } });
    expect(replaced.body.key_mask).toBe("sk-…cdef");
    expect((await api(`/admin/providers/${p.id}/key`, { token: ada.token, method: "DELETE" })).status).toBe(204);
    expect((await api<Provider>(`/admin/providers/${p.id}`, { token: ada.token })).body.key_mask).toBeNull();
  });

  it("are stored sealed, and the canary appears in no log line, response or audit row", async () => {
    const [sealed] = await rootSql()<{ sealed: string }[]>`
      select s.sealed from public.provider_secrets s join public.providers p on p.id = s.provider_id
      where p.tenant_id = ${ada.tenantId} and p.name = 'OpenAI'`;
    expect(sealed?.sealed).toMatch(/^v1\./);
    expect(sealed?.sealed).not.toContain(canary);
    const audit = await rootSql()`select details::text as d from public.audit_log where tenant_id = ${ada.tenantId}`;
    expect(audit.some((r) => String(r.d).includes(canary))).toBe(false);
    const logs = await readFile(inject("logFile"), "utf8");
    expect(logs).not.toContain(canary);
  });
});

describe("base URLs", () => {
  it("refuse private addresses unless allowed, and metadata addresses always", async () => {
    for (const [base_url, allow] of [["http://127.0.0.1:11434/v1", false], ["http://169.254.169.254/v1", true], ["http://[::ffff:169.254.169.254]/", true], ["http://2130706433/v1", false]] as const) {
      const res = await api("/admin/providers", {
        token: ada.token,
        json: { type: "openai_compatible", name: `bad-${Math.random()}`, base_url, allow_private_network: allow },
      });
      expect(res.status, base_url).toBe(400);
      expect(errorCode(res)).toBe("url_not_allowed");
    }
  });
});

describe("who sees which models", () => {
  it("a member sees only the models of providers open to them, directly or through a team", async () => {
    const globex = await signupOwner("Globex", "gina");
    const open = await createProvider(globex, { type: "openai", name: "Open", base_url: `${openai.url}/v1`, api_key: "sk-open-123456789", models_from_catalog: false });
    const closed = await createProvider(globex, { type: "openai", name: "Closed", base_url: `${openai.url}/v1`, api_key: "sk-closed-12345678", restricted: true, models_from_catalog: false });
    await api("/admin/models", { token: globex.token, json: { provider_id: open.id, model_id: "open-model" } });
    await api("/admin/models", { token: globex.token, json: { provider_id: closed.id, model_id: "closed-model" } });
    const mia = await addUser(globex, "member", "mia");
    const models = async () => (await api<{ data: Array<{ model_id: string }> }>("/chat/models", { token: mia.token })).body.data.map((m) => m.model_id);
    expect(await models()).toEqual(["open-model"]);
    expect((await api(`/chat/providers/${closed.id}/access`, { token: mia.token })).body).toEqual({ provider_id: closed.id, allowed: false, role: null });

    const team = await api<{ id: string }>("/admin/teams", { token: globex.token, json: { name: "Research" } });
    await api(`/admin/teams/${team.body.id}/members`, { token: globex.token, json: { user_id: mia.id } });
    const grant = await api<{ id: string }>(`/admin/providers/${closed.id}/access`, { token: globex.token, json: { team_id: team.body.id } });
    expect(grant.status).toBe(201);
    expect((await models()).sort()).toEqual(["closed-model", "open-model"]);
    expect((await api(`/chat/providers/${closed.id}/access`, { token: mia.token })).body).toMatchObject({ allowed: true, role: "user" });

    await api(`/admin/providers/${closed.id}/access/${grant.body.id}`, { token: globex.token, method: "DELETE" });
    expect(await models()).toEqual(["open-model"]);
    // Another tenant's provider id is as unknown as a random one.
    expect((await api(`/chat/providers/${closed.id}/access`, { token: ada.token })).body).toMatchObject({ allowed: false });
  });

  it("another tenant's providers and models answer 404", async () => {
    const bob = await signupOwner("Globex", "bob");
    const [p] = await rootSql()<{ id: string }[]>`select id from public.providers where tenant_id = ${ada.tenantId} limit 1`;
    const [m] = await rootSql()<{ id: string }[]>`select id from public.models where tenant_id = ${ada.tenantId} limit 1`;
    for (const [path, method] of [
      [`/admin/providers/${p!.id}`, "GET"], [`/admin/providers/${p!.id}`, "DELETE"], [`/admin/providers/${p!.id}/test`, "POST"],
      [`/admin/providers/${p!.id}/key/reveal`, "POST"], [`/admin/providers/${p!.id}/access`, "GET"], [`/admin/models/${m!.id}`, "DELETE"],
    ] as const) {
      const res = await api(path, { token: bob.token, method });
      expect(res.status, `${method} ${path}`).toBe(404);
    }
    const put = await api(`/admin/providers/${p!.id}/key`, { token: bob.token, method: "PUT", json: { api_key: "sk-hijack-1234567" } });
    expect(put.status).toBe(404);
    const patch = await api(`/admin/models/${m!.id}`, { token: bob.token, method: "PATCH", json: { input_price_per_mtok: 0 } });
    expect(patch.status).toBe(404);
  });
});

describe("OAuth client credentials (Entra ID for Azure OpenAI)", () => {
  let tokenServer: Server;
  let tokenUrl: string;
  let issued = 0;

  beforeAll(async () => {
    tokenServer = createServer((req, res) => {
      let body = "";
      req.on("data", (c) => (body += c));
      req.on("end", () => {
        const form = new URLSearchParams(body);
        if (form.get("client_secret") !== "entra-client-secret") {
          res.writeHead(401, { "content-type": "application/json" }).end('{"error":"invalid_client"}');
          return;
        }
        issued++;
        const expiresIn = form.get("client_id") === "short-lived" ? 120 : 3600;
        res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ access_token: `entra-token-${issued}`, expires_in: expiresIn, token_type: "Bearer" }));
      });
    });
    await new Promise<void>((r) => tokenServer.listen(0, "127.0.0.1", r));
    const address = tokenServer.address();
    tokenUrl = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}/oauth2/v2.0/token`;
  });

  afterAll(() => new Promise<void>((r) => tokenServer.close(() => r())));

  it("fetches a token once, caches it sealed with its expiry, and health shows the expiry", async () => {
    const az = await createProvider(ada, {
      type: "azure_openai", name: "Azure Entra", base_url: openai.url, api_version: "2024-10-21", models_from_catalog: false,
      auth_type: "oauth_client_credentials", oauth: { token_url: tokenUrl, client_id: "app-id" }, oauth_client_secret: "entra-client-secret",
    });
    await api("/admin/models", { token: ada.token, json: { provider_id: az.id, model_id: "gpt-4o-mini", deployment_name: "mini" } });
    openai.reset();
    for (let i = 0; i < 2; i++) {
      const test = await api<TestResult>(`/admin/providers/${az.id}/test`, { token: ada.token, method: "POST" });
      expect(test.body.ok, JSON.stringify(test.body)).toBe(true);
    }
    expect(issued).toBe(1);
    expect(openai.requests.map((r) => r.headers.authorization)).toEqual(["Bearer entra-token-1", "Bearer entra-token-1"]);
    const health = await api<{ providers: Array<{ id: string; credential_expires_at: string | null }> }>("/health", { token: ada.token });
    const entry = health.body.providers.find((p) => p.id === az.id);
    expect(new Date(entry!.credential_expires_at!).getTime()).toBeGreaterThan(Date.now() + 50 * 60_000);
  });

  it("refreshes a token that expires within five minutes before using it", async () => {
    const az = await createProvider(ada, {
      type: "azure_openai", name: "Azure short", base_url: openai.url, models_from_catalog: false,
      auth_type: "oauth_client_credentials", oauth: { token_url: tokenUrl, client_id: "short-lived" }, oauth_client_secret: "entra-client-secret",
    });
    await api("/admin/models", { token: ada.token, json: { provider_id: az.id, model_id: "gpt-4o-mini" } });
    const before = issued;
    for (let i = 0; i < 2; i++) await api(`/admin/providers/${az.id}/test`, { token: ada.token, method: "POST" });
    expect(issued - before).toBe(2);
  });
});

describe("updates change only what they name", () => {
  it("renaming a restricted provider keeps it restricted; a new default keeps the model's prices", async () => {
    const p = await createProvider(ada, { type: "openai", name: "Lab", base_url: `${openai.url}/v1`, api_key: "sk-lab-123456789", restricted: true });
    const renamed = await api<Provider>(`/admin/providers/${p.id}`, { token: ada.token, method: "PATCH", json: { name: "Lab 2" } });
    expect(renamed.body).toMatchObject({ name: "Lab 2", restricted: true, allow_private_network: true, features: ["chat", "gateway"] });
    const models = await api<{ data: Array<{ id: string; model_id: string; input_price_per_mtok: number }> }>(`/admin/models?provider_id=${p.id}`, { token: ada.token });
    const gpt = models.body.data.find((m) => m.model_id === "gpt-4.1")!;
    const changed = await api<{ input_price_per_mtok: number; enabled: boolean; is_default: boolean }>(`/admin/models/${gpt.id}`, {
      token: ada.token, method: "PATCH", json: { is_default: true } });
    expect(changed.body).toMatchObject({ input_price_per_mtok: 2, enabled: true, is_default: true });
  });
});
