// An error meant for the person at the terminal: printed as one line, never as a stack trace.
export class UserError extends Error {
  override name = "UserError";
}

/** Print a one-line reason and exit; unknown errors still get one line plus a hint. */
export function exitWith(err: unknown): never {
  const message =
    err instanceof UserError
      ? err.message
      : `Unexpected error: ${err instanceof Error ? err.message : String(err)} (run with DEBUG=1 for details)`;
  console.error(`\u2716 ${message}`);
  if (process.env.DEBUG && err instanceof Error) console.error(err.stack);
  process.exit(1);
}
