// The chat function under /chat: models the caller may use and, as it grows, conversations,
// streaming answers, assistants and prompt templates (DESIGN.md §5).
import { createApp } from "../_shared/app.ts";
import { type AuthEnv, requireAuth } from "../_shared/auth.ts";
import { config } from "../_shared/config.ts";
import { openApiDocument } from "../_shared/openapi.ts";
import { conversationCreate, conversationUpdate, enhanceRequest, messageSend, regenerateRequest } from "../../shared/chat.ts";
import { assistant, assistantCreate, assistantUpdate } from "../../shared/assistants.ts";
import { renderedTemplate, template, templateCreate, templateRender, templateUpdate } from "../../shared/templates.ts";
import { assistantRoutes } from "./routes/assistants.ts";
import { conversationRoutes } from "./routes/conversations.ts";
import { messageRoutes } from "./routes/messages.ts";
import { modelRoutes } from "./routes/models.ts";
import { promptRoutes } from "./routes/prompts.ts";
import { templateRoutes } from "./routes/templates.ts";
import { usageRoutes } from "./routes/usage.ts";

export const app = createApp<AuthEnv>("chat");

app.get("/openapi.json", (c) =>
  c.json(
    openApiDocument("chat", config().version, [
      { method: "get", path: "/chat/models", summary: "Models the caller may use", auth: true },
      { method: "get", path: "/chat/providers/{id}/access", summary: "May the caller use this provider?", auth: true },
      { method: "get", path: "/chat/conversations", summary: "My conversations (newest first, cursor, title search)", auth: true },
      { method: "post", path: "/chat/conversations", summary: "Start a conversation", body: conversationCreate, auth: true },
      { method: "get", path: "/chat/conversations/{id}", summary: "A conversation with its messages (paged)", auth: true },
      { method: "patch", path: "/chat/conversations/{id}", summary: "Rename, archive, change model/temperature/assistant", body: conversationUpdate, auth: true },
      { method: "delete", path: "/chat/conversations/{id}", summary: "Delete a conversation", auth: true },
      { method: "get", path: "/chat/conversations/{id}/export", summary: "Export as Markdown (format=md) or JSON", auth: true },
      { method: "post", path: "/chat/conversations/{id}/messages", summary: "Send a message; stream:true answers text/event-stream (delta, done, error)", body: messageSend, auth: true },
      { method: "post", path: "/chat/conversations/{id}/regenerate", summary: "Answer the last message again", body: regenerateRequest, auth: true },
      { method: "get", path: "/chat/usage", summary: "My tokens and cost by day and model", auth: true },
      { method: "post", path: "/chat/prompts/enhance", summary: "Improve a prompt with the enhancement prompt", body: enhanceRequest, auth: true },
      { method: "get", path: "/chat/assistants", summary: "Assistants: tenant-wide and my own (scope, cursor)", auth: true },
      { method: "post", path: "/chat/assistants", summary: "Create an assistant (scope tenant: admins)", body: assistantCreate, response: assistant, auth: true },
      { method: "get", path: "/chat/assistants/{id}", summary: "One assistant", response: assistant, auth: true },
      { method: "patch", path: "/chat/assistants/{id}", summary: "Change an assistant", body: assistantUpdate, response: assistant, auth: true },
      { method: "delete", path: "/chat/assistants/{id}", summary: "Delete an assistant", auth: true },
      { method: "get", path: "/chat/templates", summary: "Prompt templates: ranked search (q), category, tag, scope, cursor", auth: true },
      { method: "post", path: "/chat/templates", summary: "Create a template (scope tenant: admins)", body: templateCreate, response: template, auth: true },
      { method: "get", path: "/chat/templates/{id}", summary: "One template with its variables", response: template, auth: true },
      { method: "patch", path: "/chat/templates/{id}", summary: "Change a template", body: templateUpdate, response: template, auth: true },
      { method: "delete", path: "/chat/templates/{id}", summary: "Delete a template", auth: true },
      { method: "post", path: "/chat/templates/{id}/render", summary: "Fill a template's {{variables}}", body: templateRender, response: renderedTemplate, auth: true },
    ]),
  ),
);

app.use("*", requireAuth());
app.route("/", modelRoutes);
app.route("/", conversationRoutes);
app.route("/", messageRoutes);
app.route("/", usageRoutes);
app.route("/", promptRoutes);
app.route("/", assistantRoutes);
app.route("/", templateRoutes);
