// The auth function: password sign-in, sessions and per-tenant SSO under /auth.
import { createApp } from "../_shared/app.ts";
import type { AuthEnv } from "../_shared/auth.ts";
import { config } from "../_shared/config.ts";
import { openApiDocument } from "../_shared/openapi.ts";
import { loginRequest, passwordChangeRequest, refreshRequest, signupRequest, ssoExchangeRequest, tokenResponse } from "../../shared/auth.ts";
import { passwordRoutes } from "./routes/password.ts";
import { ssoRoutes } from "./routes/sso.ts";

export const app = createApp<AuthEnv>("auth");
app.route("/", passwordRoutes);
app.route("/", ssoRoutes);

app.get("/openapi.json", (c) =>
  c.json(
    openApiDocument("auth", config().version, [
      { method: "post", path: "/auth/signup", summary: "Create an organisation and its owner", body: signupRequest, response: tokenResponse },
      { method: "post", path: "/auth/login", summary: "Sign in with email and password", body: loginRequest, response: tokenResponse },
      { method: "post", path: "/auth/refresh", summary: "Rotate a refresh token", body: refreshRequest, response: tokenResponse },
      { method: "post", path: "/auth/logout", summary: "End this session", auth: true },
      { method: "get", path: "/auth/me", summary: "The signed-in user and tenant", auth: true },
      { method: "post", path: "/auth/password", summary: "Change password; ends other sessions", body: passwordChangeRequest, auth: true },
      { method: "get", path: "/auth/sso/{tenant}/start", summary: "Start single sign-on with the tenant's OpenID provider (302)" },
      { method: "get", path: "/auth/sso/callback", summary: "OpenID provider callback; redirects to the web app with a one-time code (302)" },
      { method: "post", path: "/auth/sso/exchange", summary: "Exchange the one-time SSO code for tokens", body: ssoExchangeRequest, response: tokenResponse },
    ]),
  ),
);
