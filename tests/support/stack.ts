// What a test file needs from the running stack: HTTP helpers for the functions and a direct,
// privileged SQL connection (for arranging data and for asserting nothing was written).
import postgres from "postgres";
import { inject } from "vitest";
import { configure } from "../../functions/_shared/config.ts";
import type { ErrorBody } from "../../shared/errors.ts";

export const apiUrl = inject("apiUrl");
export const databaseUrl = inject("databaseUrl");

/** Server code under test (withClaims, privileged queries) uses the same database. */
configure({ ...inject("stackEnv"), DATABASE_URL: databaseUrl, ATRIUM_ENV: "test" });

let admin: postgres.Sql | undefined;
/** A superuser connection: bypasses RLS, for arranging fixtures and reading the truth. */
export function rootSql(): postgres.Sql {
  admin ??= postgres(databaseUrl, { max: 3, onnotice: () => {}, prepare: false });
  return admin;
}

export interface ApiResponse<T = unknown> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

export async function api<T = unknown>(
  path: string,
  init: { method?: string; token?: string; json?: unknown; body?: string; headers?: Record<string, string> } = {},
): Promise<ApiResponse<T>> {
  const headers: Record<string, string> = { ...init.headers };
  if (init.token) headers.authorization = `Bearer ${init.token}`;
  let body = init.body;
  if (init.json !== undefined) {
    headers["content-type"] ??= "application/json";
    body = JSON.stringify(init.json);
  }
  const res = await fetch(`${apiUrl}${path}`, { method: init.method ?? (body ? "POST" : "GET"), headers, body });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  return { status: res.status, headers: res.headers, body: parsed as T, text };
}

/** The error code of a response in the one error shape (undefined when it is not one). */
export function errorCode(res: ApiResponse): string | undefined {
  return (res.body as ErrorBody | undefined)?.error?.code;
}
