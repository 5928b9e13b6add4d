// The admin function under /admin: users, tenant settings and (superadmin) tenants.
// Every route needs a signed-in user; role checks live in the route modules and in RLS.
import { createApp } from "../_shared/app.ts";
import { type AuthEnv, requireAuth } from "../_shared/auth.ts";
import { config } from "../_shared/config.ts";
import { openApiDocument } from "../_shared/openapi.ts";
import { ssoSettings, ssoSettingsInput } from "../../shared/sso.ts";
import { ownTenantUpdate, tenantCreate, tenantUpdate, userCreate, userUpdate } from "../../shared/admin.ts";
import { ssoSettingsRoutes } from "./routes/sso.ts";
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
    ]),
  ),
);

app.use("*", requireAuth());
app.route("/", userRoutes);
app.route("/", tenantRoutes);
app.route("/", ssoSettingsRoutes);
