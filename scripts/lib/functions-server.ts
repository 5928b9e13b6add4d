// Starts scripts/deno/serve.ts under the npm `deno` binary (no global install) and waits
// until it listens; stop() ends it by pid and waits for it to exit.
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { UserError } from "./user-error.ts";

export const projectRoot = fileURLToPath(new URL("../../", import.meta.url));
export const denoBin = `${projectRoot}node_modules/.bin/deno`;

export interface FunctionsServer {
  url: string;
  pid: number;
  /** Resolves with the exit code when the process ends, for whatever reason. */
  exited: Promise<number | null>;
  stop(): Promise<void>;
}

export async function startFunctionsServer(opts: {
  port: number;
  env: Record<string, string>;
  onLine?: (line: string, stream: "stdout" | "stderr") => void;
}): Promise<FunctionsServer> {
  const args = [
    "run",
    "--quiet",
    "--no-prompt",
    "--unstable-no-legacy-abort",
    "--config", `${projectRoot}functions/deno.json`,
    "--allow-net",
    "--allow-env",
    "--allow-sys",
    `--allow-read=${projectRoot}`,
    `${projectRoot}scripts/deno/serve.ts`,
  ];
  const child = spawn(denoBin, args, {
    cwd: projectRoot,
    env: { ...process.env, ...opts.env, ATRIUM_PORT: String(opts.port), NO_COLOR: "1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const tail: string[] = [];
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const ready = new Promise<void>((resolve) => {
    for (const [stream, name] of [[child.stdout, "stdout"], [child.stderr, "stderr"]] as const) {
      createInterface({ input: stream }).on("line", (line) => {
        tail.push(line);
        if (tail.length > 20) tail.shift();
        if (name === "stdout" && line.includes('"event":"listening"')) resolve();
        opts.onLine?.(line, name);
      });
    }
  });
  const outcome = await Promise.race([ready.then(() => "ready" as const), exited]);
  if (outcome !== "ready") {
    throw new UserError(`The functions server exited before listening (code ${outcome}): ${tail.slice(-3).join(" | ")}`);
  }
  return {
    url: `http://127.0.0.1:${opts.port}`,
    pid: child.pid ?? 0,
    exited,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}
