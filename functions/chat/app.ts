// The chat function under /chat: models the caller may use and, as it grows, conversations,
// streaming answers, assistants and prompt templates (DESIGN.md §5).
import { createApp } from "../_shared/app.ts";
import { type AuthEnv, requireAuth } from "../_shared/auth.ts";
import { config } from "../_shared/config.ts";
import { openApiDocument } from "../_shared/openapi.ts";
import { modelRoutes } from "./routes/models.ts";

export const app = createApp<AuthEnv>("chat");

app.get("/openapi.json", (c) =>
  c.json(
    openApiDocument("chat", config().version, [
      { method: "get", path: "/chat/models", summary: "Models the caller may use", auth: true },
      { method: "get", path: "/chat/providers/{id}/access", summary: "May the caller use this provider?", auth: true },
    ]),
  ),
);

app.use("*", requireAuth());
app.route("/", modelRoutes);
