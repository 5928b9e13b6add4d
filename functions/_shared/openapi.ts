// Each function serves /<fn>/openapi.json built from the same zod schemas that validate requests.
import { z } from "zod";
import { errorBodySchema } from "../../shared/errors.ts";

export interface RouteDoc {
  method: "get" | "post" | "put" | "patch" | "delete";
  path: string; // OpenAPI form, e.g. /auth/users/{id}
  summary: string;
  body?: z.ZodType;
  response?: z.ZodType;
  auth?: boolean;
}

const schema = (s: z.ZodType) => z.toJSONSchema(s, { io: "input", unrepresentable: "any" });

export function openApiDocument(fn: string, version: string, routes: RouteDoc[]): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of routes) {
    const op: Record<string, unknown> = {
      summary: r.summary,
      responses: {
        default: { description: "Error", content: { "application/json": { schema: schema(errorBodySchema) } } },
        "200": {
          description: "OK",
          ...(r.response ? { content: { "application/json": { schema: schema(r.response) } } } : {}),
        },
      },
    };
    if (r.body) op.requestBody = { required: true, content: { "application/json": { schema: schema(r.body) } } };
    if (r.auth) op.security = [{ bearer: [] }];
    (paths[r.path] ??= {})[r.method] = op;
  }
  return {
    openapi: "3.1.0",
    info: { title: `Atrium ${fn}`, version },
    servers: [{ url: "/functions/v1" }],
    components: { securitySchemes: { bearer: { type: "http", scheme: "bearer", bearerFormat: "JWT" } } },
    paths,
  };
}
