// Vitest global setup of the "stack" project: one real stack for the whole run, shared with
// tests through inject(); each test file isolates itself with its own tenants.
import { fileURLToPath } from "node:url";
import { build } from "vite";
import type { TestProject } from "vitest/node";
import { startTestStack } from "./stack-process.ts";

declare module "vitest" {
  export interface ProvidedContext {
    apiUrl: string;
    databaseUrl: string;
    logFile: string;
    stackEnv: Record<string, string>;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  // The bundle under test is always the current source, never a stale web/dist.
  await build({ configFile: fileURLToPath(new URL("../../web/vite.config.ts", import.meta.url)), logLevel: "warn", mode: "production" });
  const stack = await startTestStack();
  project.provide("apiUrl", stack.apiUrl);
  project.provide("databaseUrl", stack.databaseUrl);
  project.provide("logFile", stack.logFile);
  project.provide("stackEnv", stack.env);
  return () => stack.stop();
}
