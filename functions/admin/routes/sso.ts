// Admin: the tenant's OpenID Connect settings. Admins read them; owners change them. The
// client secret is write-only and sealed with AES-256-GCM bound to the tenant and row.
import { Hono } from "hono";
import { type AuthEnv, clientInfo, requireRole, userTx } from "../../_shared/auth.ts";
import { audit } from "../../_shared/audit.ts";
import { encryptSecret } from "../../_shared/crypto.ts";
import { AppError } from "../../_shared/errors.ts";
import { clearOidcCaches, discover } from "../../_shared/oidc.ts";
import { allowHttpLoopback, assertIssuerAllowed, ssoRedirectUri } from "../../_shared/sso-settings.ts";
import { readJson } from "../../_shared/validate.ts";
import { type SsoSettings, ssoSettingsInput } from "../../../shared/sso.ts";

export const ssoSettingsRoutes = new Hono<AuthEnv>();

interface Row {
  id: string;
  issuer: string;
  client_id: string;
  has_client_secret: boolean;
  allowed_domains: string[];
  default_role: SsoSettings["default_role"];
  enabled: boolean;
}

const view = (r: Row): SsoSettings => ({
  issuer: r.issuer,
  client_id: r.client_id,
  has_client_secret: r.has_client_secret,
  allowed_domains: r.allowed_domains,
  default_role: r.default_role,
  enabled: r.enabled,
  redirect_uri: ssoRedirectUri(),
});

ssoSettingsRoutes.get("/sso", requireRole("admin"), async (c) => {
  const [row] = await userTx(c, (tx) => tx<Row[]>`
    select id, issuer, client_id, has_client_secret, allowed_domains, default_role, enabled
    from public.tenant_sso`);
  if (!row) throw new AppError("not_found", "Single sign-on is not configured.", { code: "sso_not_configured" });
  return c.json(view(row));
});

ssoSettingsRoutes.put("/sso", requireRole("owner"), async (c) => {
  const body = await readJson(c, ssoSettingsInput);
  await assertIssuerAllowed(body.issuer);
  clearOidcCaches();
  await discover(body.issuer, { allowHttpLoopback: allowHttpLoopback() }); // a wrong issuer is reported now, not at sign-in
  const claims = c.var.claims;
  const row = await userTx(c, async (tx) => {
    const [existing] = await tx<{ id: string }[]>`select id from public.tenant_sso for update`;
    const id = existing?.id ?? crypto.randomUUID();
    if (!existing && !body.client_secret) {
      throw new AppError("validation_failed", "client_secret: required when configuring SSO", { field: "client_secret" });
    }
    const sealed = body.client_secret
      ? await encryptSecret(body.client_secret, { tenantId: claims.tenant_id, rowId: id, purpose: "sso_client_secret" })
      : null;
    const [saved] = existing
      ? await tx<Row[]>`
          update public.tenant_sso set issuer = ${body.issuer}, client_id = ${body.client_id},
            client_secret_sealed = coalesce(${sealed}, client_secret_sealed), allowed_domains = ${body.allowed_domains},
            default_role = ${body.default_role}, enabled = ${body.enabled}, updated_at = now()
          where id = ${id}
          returning id, issuer, client_id, has_client_secret, allowed_domains, default_role, enabled`
      : await tx<Row[]>`
          insert into public.tenant_sso (id, tenant_id, issuer, client_id, client_secret_sealed, allowed_domains, default_role, enabled)
          values (${id}, ${claims.tenant_id}, ${body.issuer}, ${body.client_id}, ${sealed}, ${body.allowed_domains},
                  ${body.default_role}, ${body.enabled})
          returning id, issuer, client_id, has_client_secret, allowed_domains, default_role, enabled`;
    await audit(tx, { tenantId: claims.tenant_id, action: "sso.configured", targetType: "tenant_sso", targetId: id,
      details: { issuer: body.issuer, secret_changed: Boolean(body.client_secret) }, ...clientInfo(c) });
    return saved!;
  });
  return c.json(view(row));
});

ssoSettingsRoutes.delete("/sso", requireRole("owner"), async (c) => {
  const claims = c.var.claims;
  await userTx(c, async (tx) => {
    const [gone] = await tx<{ id: string }[]>`delete from public.tenant_sso returning id`;
    if (!gone) throw new AppError("not_found", "Single sign-on is not configured.", { code: "sso_not_configured" });
    await audit(tx, { tenantId: claims.tenant_id, action: "sso.removed", targetType: "tenant_sso", targetId: gone.id, ...clientInfo(c) });
  });
  return c.body(null, 204);
});
