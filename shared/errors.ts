// The one error shape of every Atrium endpoint, and the table of codes the server answers with.
// The web app and the tests read the same table, so a code means one status everywhere.
import { z } from "zod";

export const errorCatalog = {
  validation_failed: { status: 400, type: "invalid_request_error" },
  invalid_json: { status: 400, type: "invalid_request_error" },
  unauthorized: { status: 401, type: "authentication_error" },
  invalid_token: { status: 401, type: "authentication_error" },
  forbidden: { status: 403, type: "permission_error" },
  not_found: { status: 404, type: "not_found_error" },
  method_not_allowed: { status: 405, type: "invalid_request_error" },
  conflict: { status: 409, type: "conflict_error" },
  payload_too_large: { status: 413, type: "invalid_request_error" },
  unsupported_media_type: { status: 415, type: "invalid_request_error" },
  rate_limited: { status: 429, type: "rate_limit_error" },
  internal_error: { status: 500, type: "api_error" },
  upstream_error: { status: 502, type: "upstream_error" },
  upstream_unavailable: { status: 503, type: "upstream_error" },
  database_unavailable: { status: 503, type: "api_error" },
  upstream_timeout: { status: 504, type: "upstream_error" },
} as const satisfies Record<string, { status: number; type: string }>;

/** Families of codes; a specific code (e.g. `last_owner`) may borrow a family's status. */
export type ErrorFamily = keyof typeof errorCatalog;

export const errorBodySchema = z.object({
  error: z.object({
    type: z.string().max(64),
    code: z.string().max(64).regex(/^[a-z][a-z0-9_]*$/),
    message: z.string().max(1000),
    field: z.string().max(200).optional(),
  }),
});
export type ErrorBody = z.infer<typeof errorBodySchema>;
