// Port checks that turn EADDRINUSE into one line telling what to do.
import { createServer } from "node:net";
import { UserError } from "./user-error.ts";

export function assertPortFree(port: number, what: string, envVar: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", (err: NodeJS.ErrnoException) => {
      reject(
        err.code === "EADDRINUSE"
          ? new UserError(
              `Port ${port} (${what}) is already in use — is another Atrium running? Stop it or set ${envVar} to a free port.`,
            )
          : err,
      );
    });
    server.listen(port, "127.0.0.1", () => server.close(() => resolve()));
  });
}

/** A port the OS says is free right now (tests). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
