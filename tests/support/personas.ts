// Test personas: ada of Acme, bob of Globex, … each a real account made through the API.
import { randomUUID } from "node:crypto";
import type { TokenResponse } from "../../shared/auth.ts";
import { api } from "./stack.ts";

export interface Persona {
  id: string;
  email: string;
  password: string;
  role: "owner" | "admin" | "member" | "readonly";
  tenantId: string;
  tenantSlug: string;
  token: string;
  refresh: string;
}

const suffix = () => randomUUID().slice(0, 8);
export const strongPassword = () => `Tr0ub4dor&3-${suffix()}-horse`;

function persona(t: TokenResponse, password: string): Persona {
  return {
    id: t.user.id,
    email: t.user.email,
    password,
    role: t.user.role,
    tenantId: t.user.tenant_id,
    tenantSlug: t.user.tenant_slug,
    token: t.access_token,
    refresh: t.refresh_token,
  };
}

/** A new organisation (unique slug from `name`) and its owner. */
export async function signupOwner(name: string, first = "owner"): Promise<Persona> {
  const slug = `${name.toLowerCase()}-${suffix()}`;
  const password = strongPassword();
  const res = await api<TokenResponse>("/auth/signup", {
    json: { organisation: name, slug, email: `${first}@${slug}.test`, password, display_name: first },
  });
  if (res.status !== 201) throw new Error(`signup failed: ${res.status} ${res.text}`);
  return persona(res.body, password);
}

export async function login(email: string, password: string, tenant?: string): Promise<Persona> {
  const res = await api<TokenResponse>("/auth/login", { json: { email, password, ...(tenant ? { tenant } : {}) } });
  if (res.status !== 200) throw new Error(`login failed: ${res.status} ${res.text}`);
  return persona(res.body, password);
}

/** A user of the admin's tenant with `role`, created through the admin API, signed in. */
export async function addUser(admin: Persona, role: Persona["role"], first: string): Promise<Persona> {
  const email = `${first}-${suffix()}@${admin.tenantSlug}.test`;
  const password = strongPassword();
  const res = await api("/admin/users", {
    token: admin.token,
    json: { email, display_name: first, role, password },
  });
  if (res.status !== 201) throw new Error(`creating ${role} failed: ${res.status} ${res.text}`);
  return login(email, password, admin.tenantSlug);
}
