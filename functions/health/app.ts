// GET /health: liveness of the function and its database, for load balancers and the web app;
// with an admin's token also each provider's status, last test and credential expiry.
import { createApp } from "../_shared/app.ts";
import { bearerToken, userTx } from "../_shared/auth.ts";
import type { AuthEnv } from "../_shared/auth.ts";
import { config } from "../_shared/config.ts";
import { ping } from "../_shared/db.ts";
import { openApiDocument } from "../_shared/openapi.ts";
import { verifyAccessToken } from "../_shared/tokens.ts";
import { healthSchema, type Health } from "../../shared/health.ts";

export const app = createApp<AuthEnv>("health");

app.get("/", async (c) => {
  const database = (await ping()) ? "ok" : "unavailable";
  const body: Health = { status: database === "ok" ? "ok" : "degraded", version: config().version, database };
  c.header("cache-control", "no-store");
  const token = bearerToken(c);
  if (token && database === "ok") {
    c.set("claims", await verifyAccessToken(token));
    if (c.var.claims.app_role === "owner" || c.var.claims.app_role === "admin") {
      body.providers = await userTx(c, (tx) => tx<NonNullable<Health["providers"]>>`
        select p.id, p.name, p.type, p.status, p.last_tested_at, p.last_test_ok, p.last_test_latency_ms,
               (select s.expires_at from public.provider_secrets s where s.provider_id = p.id and s.kind = 'oauth_access_token')
                 as credential_expires_at
        from public.providers p order by p.name`);
    }
  }
  return c.json(body, database === "ok" ? 200 : 503);
});

app.get("/openapi.json", (c) =>
  c.json(
    openApiDocument("health", config().version, [
      { method: "get", path: "/health", summary: "Service and database status (providers with an admin token)", response: healthSchema },
    ]),
  ),
);
