// GET /health: liveness of the function and its database, for load balancers and the web app.
import { createApp } from "../_shared/app.ts";
import { config } from "../_shared/config.ts";
import { ping } from "../_shared/db.ts";
import { openApiDocument } from "../_shared/openapi.ts";
import { healthSchema, type Health } from "../../shared/health.ts";

export const app = createApp("health");

app.get("/", async (c) => {
  const database = (await ping()) ? "ok" : "unavailable";
  const body: Health = { status: database === "ok" ? "ok" : "degraded", version: config().version, database };
  c.header("cache-control", "no-store");
  return c.json(body, database === "ok" ? 200 : 503);
});

app.get("/openapi.json", (c) =>
  c.json(
    openApiDocument("health", config().version, [
      { method: "get", path: "/health", summary: "Service and database status", response: healthSchema },
    ]),
  ),
);
