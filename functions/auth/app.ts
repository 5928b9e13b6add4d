// The auth function: password sign-in, sessions and per-tenant SSO under /auth.
import { createApp } from "../_shared/app.ts";
import type { AuthEnv } from "../_shared/auth.ts";
import { config } from "../_shared/config.ts";
import { openApiDocument } from "../_shared/openapi.ts";
import { loginRequest, passwordChangeRequest, refreshRequest, signupRequest, tokenResponse } from "../../shared/auth.ts";
import { passwordRoutes } from "./routes/password.ts";

export const app = createApp<AuthEnv>("auth");
app.route("/", passwordRoutes);

app.get("/openapi.json", (c) =>
  c.json(
    openApiDocument("auth", config().version, [
      { method: "post", path: "/auth/signup", summary: "Create an organisation and its owner", body: signupRequest, response: tokenResponse },
      { method: "post", path: "/auth/login", summary: "Sign in with email and password", body: loginRequest, response: tokenResponse },
      { method: "post", path: "/auth/refresh", summary: "Rotate a refresh token", body: refreshRequest, response: tokenResponse },
      { method: "post", path: "/auth/logout", summary: "End this session", auth: true },
      { method: "get", path: "/auth/me", summary: "The signed-in user and tenant", auth: true },
      { method: "post", path: "/auth/password", summary: "Change password; ends other sessions", body: passwordChangeRequest, auth: true },
    ]),
  ),
);
