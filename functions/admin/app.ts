// The admin function under /admin: users, tenant settings and (superadmin) tenants.
// Every route needs a signed-in user; role checks live in the route modules and in RLS.
import { createApp } from "../_shared/app.ts";
import { type AuthEnv, requireAuth } from "../_shared/auth.ts";
import { config } from "../_shared/config.ts";
import { openApiDocument } from "../_shared/openapi.ts";
import { accessGrant, modelCreate, modelUpdate, provider, providerCreate, providerKeyInput, providerUpdate } from "../../shared/providers.ts";
import { ssoSettings, ssoSettingsInput } from "../../shared/sso.ts";
import { teamCreate, teamMemberAdd, teamUpdate } from "../../shared/teams.ts";
import { ownTenantUpdate, tenantCreate, tenantUpdate, userCreate, userUpdate } from "../../shared/admin.ts";
import { accessRoutes } from "./routes/access.ts";
import { modelRoutes } from "./routes/models.ts";
import { providerTestRoutes } from "./routes/provider-test.ts";
import { providerRoutes } from "./routes/providers.ts";
import { ssoSettingsRoutes } from "./routes/sso.ts";
import { teamRoutes } from "./routes/teams.ts";
import { tenantRoutes } from "./routes/tenants.ts";
import { userRoutes } from "./routes/users.ts";

export const app = createApp<AuthEnv>("admin");

app.get("/openapi.json", (c) =>
  c.json(
    openApiDocument("admin", config().version, [
      { method: "get", path: "/admin/users", summary: "List users (search, cursor)", auth: true },
      { method: "post", path: "/admin/users", summary: "Create or invite a user", body: userCreate, auth: true },
      { method: "get", path: "/admin/users/{id}", summary: "One user", auth: true },
      { method: "patch", path: "/admin/users/{id}", summary: "Change role, name or status", body: userUpdate, auth: true },
      { method: "delete", path: "/admin/users/{id}", summary: "Delete a user", auth: true },
      { method: "get", path: "/admin/tenant", summary: "The caller's organisation", auth: true },
      { method: "patch", path: "/admin/tenant", summary: "Rename or change settings", body: ownTenantUpdate, auth: true },
      { method: "get", path: "/admin/tenants", summary: "All organisations (superadmin)", auth: true },
      { method: "post", path: "/admin/tenants", summary: "Create an organisation (superadmin)", body: tenantCreate, auth: true },
      { method: "patch", path: "/admin/tenants/{id}", summary: "Update or deactivate (superadmin)", body: tenantUpdate, auth: true },
      { method: "get", path: "/admin/sso", summary: "The tenant's SSO settings (admin)", response: ssoSettings, auth: true },
      { method: "put", path: "/admin/sso", summary: "Configure OpenID Connect SSO (owner)", body: ssoSettingsInput, response: ssoSettings, auth: true },
      { method: "delete", path: "/admin/sso", summary: "Remove SSO (owner)", auth: true },
      { method: "get", path: "/admin/teams", summary: "Teams", auth: true },
      { method: "post", path: "/admin/teams", summary: "Create a team", body: teamCreate, auth: true },
      { method: "patch", path: "/admin/teams/{id}", summary: "Rename a team", body: teamUpdate, auth: true },
      { method: "delete", path: "/admin/teams/{id}", summary: "Delete a team", auth: true },
      { method: "get", path: "/admin/teams/{id}/members", summary: "Members of a team", auth: true },
      { method: "post", path: "/admin/teams/{id}/members", summary: "Add a member", body: teamMemberAdd, auth: true },
      { method: "delete", path: "/admin/teams/{id}/members/{userId}", summary: "Remove a member", auth: true },
      { method: "get", path: "/admin/providers", summary: "LLM providers", auth: true },
      { method: "post", path: "/admin/providers", summary: "Add a provider (models from the catalog)", body: providerCreate, response: provider, auth: true },
      { method: "get", path: "/admin/providers/{id}", summary: "One provider", response: provider, auth: true },
      { method: "patch", path: "/admin/providers/{id}", summary: "Change a provider", body: providerUpdate, response: provider, auth: true },
      { method: "delete", path: "/admin/providers/{id}", summary: "Delete a provider and its models", auth: true },
      { method: "put", path: "/admin/providers/{id}/key", summary: "Set the API key (write-only)", body: providerKeyInput, response: provider, auth: true },
      { method: "delete", path: "/admin/providers/{id}/key", summary: "Remove the API key", auth: true },
      { method: "post", path: "/admin/providers/{id}/key/reveal", summary: "Reveal the API key (owner, audited)", auth: true },
      { method: "post", path: "/admin/providers/{id}/test", summary: "Make a minimal real call; records status and latency", auth: true },
      { method: "get", path: "/admin/providers/{id}/access", summary: "Grants on a provider", auth: true },
      { method: "post", path: "/admin/providers/{id}/access", summary: "Grant a user or team access", body: accessGrant, auth: true },
      { method: "delete", path: "/admin/providers/{id}/access/{accessId}", summary: "Revoke a grant", auth: true },
      { method: "get", path: "/admin/models", summary: "Models of the providers you manage", auth: true },
      { method: "post", path: "/admin/models", summary: "Add a model", body: modelCreate, auth: true },
      { method: "patch", path: "/admin/models/{id}", summary: "Change a model, its prices or the default", body: modelUpdate, auth: true },
      { method: "delete", path: "/admin/models/{id}", summary: "Remove a model", auth: true },
    ]),
  ),
);

app.use("*", requireAuth());
app.route("/", userRoutes);
app.route("/", tenantRoutes);
app.route("/", ssoSettingsRoutes);
app.route("/", teamRoutes);
app.route("/", providerRoutes);
app.route("/", providerTestRoutes);
app.route("/", accessRoutes);
app.route("/", modelRoutes);
