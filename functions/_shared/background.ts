// Work after the response (titles, later settlement): Supabase's EdgeRuntime.waitUntil keeps
// the worker alive for it; locally a tracked promise does, and tests can wait for it.
import { log } from "./log.ts";

interface EdgeRuntimeLike {
  waitUntil(promise: Promise<unknown>): void;
}

const pending = new Set<Promise<unknown>>();

export function runInBackground(name: string, task: () => Promise<unknown>): void {
  const promise = task().catch((err: unknown) => log("warn", "background_task_failed", { task: name, error: err }));
  pending.add(promise);
  void promise.finally(() => pending.delete(promise));
  const runtime = (globalThis as { EdgeRuntime?: EdgeRuntimeLike }).EdgeRuntime;
  runtime?.waitUntil(promise);
}

/** Resolves when every background task started so far has settled. */
export async function backgroundSettled(): Promise<void> {
  while (pending.size > 0) await Promise.allSettled([...pending]);
}
