// AppError is thrown anywhere and turned into the one error shape once, in the app's onError.
// Database and unknown errors are logged with the request id and answered generically.
import { errorCatalog, type ErrorBody, type ErrorFamily } from "../../shared/errors.ts";
import { log } from "./log.ts";

export class AppError extends Error {
  readonly status: number;
  readonly type: string;
  readonly headers: Record<string, string>;

  constructor(
    /** Family from the catalog; decides status and type. */
    readonly family: ErrorFamily,
    /** Public, human sentence. */
    message: string,
    readonly opts: { code?: string; field?: string; headers?: Record<string, string> } = {},
  ) {
    super(message);
    this.status = errorCatalog[family].status;
    this.type = errorCatalog[family].type;
    this.headers = opts.headers ?? {};
  }

  /** The specific snake_case code: `opts.code` when given, else the family. */
  get code(): string {
    return this.opts.code ?? this.family;
  }

  body(): ErrorBody {
    const error: ErrorBody["error"] = { type: this.type, code: this.code, message: this.message };
    if (this.opts.field) error.field = this.opts.field;
    return { error };
  }

  toResponse(requestId?: string): Response {
    const headers = new Headers({ "content-type": "application/json; charset=utf-8", ...this.headers });
    if (requestId) headers.set("x-request-id", requestId);
    return new Response(JSON.stringify(this.body()), { status: this.status, headers });
  }
}

/** Postgres SQLSTATEs (and postgres.js/socket codes) that mean "the database is not reachable". */
const unavailable = /^(08|53|57P0[1-3])|^(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|ENOTFOUND|CONNECT_TIMEOUT|CONNECTION_CLOSED|CONNECTION_ENDED|CONNECTION_DESTROYED)$/;

/**
 * Map anything thrown to an AppError. Our own SQL raises use SQLSTATE `AT4xx` with the
 * snake_case code in HINT and a public message (see migrations); those pass through.
 */
export function toAppError(err: unknown, requestId?: string): AppError {
  if (err instanceof AppError) return err;
  const e = err as { code?: unknown; hint?: unknown; message?: unknown } | null;
  const sqlstate = typeof e?.code === "string" ? e.code : "";
  const own = /^AT(4\d\d)$/.exec(sqlstate);
  if (own) {
    const family = familyForStatus(Number(own[1]));
    const code = typeof e?.hint === "string" && /^[a-z][a-z0-9_]*$/.test(e.hint) ? e.hint : family;
    return new AppError(family, String(e?.message ?? "Request refused."), { code });
  }
  if (sqlstate === "23505") return new AppError("conflict", "That already exists.");
  if (sqlstate === "42501") return new AppError("forbidden", "You are not allowed to do that.");
  if (sqlstate === "22001") return new AppError("validation_failed", "A value is too long.");
  if (unavailable.test(sqlstate)) {
    log("error", "database_unavailable", { requestId, code: sqlstate, error: err });
    return new AppError("database_unavailable", "The database is unavailable; try again shortly.", {
      headers: { "retry-after": "5" },
    });
  }
  log("error", "unhandled_error", { requestId, code: sqlstate || undefined, error: err });
  return new AppError("internal_error", "Something went wrong on our side; the error was logged.");
}

function familyForStatus(status: number): ErrorFamily {
  const found = (Object.keys(errorCatalog) as ErrorFamily[]).find((f) => errorCatalog[f].status === status);
  return found ?? "validation_failed";
}
