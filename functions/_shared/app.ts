// Builds each function's Hono app the same way: base path, request id, access log, body limit,
// CORS, and the one error shape for thrown errors and unknown routes.
import { Hono, type MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { cors } from "hono/cors";
import { requestId, type RequestIdVariables } from "hono/request-id";
import { config } from "./config.ts";
import { AppError, toAppError } from "./errors.ts";
import { log } from "./log.ts";

export type AppEnv = { Variables: RequestIdVariables };

/** A new app under `/<name>`, the path Supabase's edge runtime hands the function. */
export function createApp<E extends AppEnv = AppEnv>(name: string): Hono<E> {
  const app = new Hono<E>().basePath(`/${name}`) as unknown as Hono<E>;
  app.use(requestId({ limitLength: 64 }));
  app.use(accessLog(name));
  app.use(lazyCors());
  app.use(lazyBodyLimit());
  app.onError((err, c) => toAppError(err, c.var.requestId).toResponse(c.var.requestId));
  app.notFound((c) =>
    new AppError("not_found", `There is no ${c.req.method} ${new URL(c.req.url).pathname}.`).toResponse(
      c.var.requestId,
    ),
  );
  return app;
}

function accessLog(fn: string): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const started = performance.now();
    await next();
    log("info", "request", {
      fn,
      requestId: c.var.requestId,
      method: c.req.method,
      path: new URL(c.req.url).pathname,
      status: c.res.status,
      ms: Math.round(performance.now() - started),
    });
  };
}

/** Middleware that need configuration are built on first use: entry files configure after import. */
function lazy(build: () => MiddlewareHandler): MiddlewareHandler {
  let handler: MiddlewareHandler | undefined;
  return (c, next) => (handler ??= build())(c, next);
}

function lazyBodyLimit(): MiddlewareHandler {
  return lazy(() => {
    const maxSize = config().maxBodyBytes;
    return bodyLimit({
      maxSize,
      onError: () => {
        throw new AppError("payload_too_large", `The request body is larger than ${maxSize} bytes.`);
      },
    });
  });
}

function lazyCors(): MiddlewareHandler {
  return lazy(() => {
    const origins = config().corsOrigins;
    if (origins.length === 0) return async (_c, next) => await next();
    return cors({
      origin: origins,
      allowHeaders: ["authorization", "content-type", "x-request-id", "apikey", "x-client-info"],
      exposeHeaders: ["x-request-id", "retry-after", "x-ratelimit-limit-requests", "x-ratelimit-remaining-requests"],
      maxAge: 600,
      credentials: false,
    });
  });
}
