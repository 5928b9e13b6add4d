// The only Deno-specific module besides the entry files: reads the environment once, wires
// the platform's DNS resolver into the SSRF guard, and serves an app. Entry files call serve();
// the local edge server calls bootstrap() and routes to every app itself.
import { configure, type Config } from "./config.ts";
import { setLogLevel } from "./log.ts";
import { setResolver } from "./net-guard.ts";

export function bootstrap(): Config {
  const cfg = configure(Deno.env.toObject());
  setLogLevel(cfg.logLevel);
  setResolver(async (host) => {
    // A name with only A (or only AAAA) records makes the other lookup throw.
    const [a, aaaa] = await Promise.allSettled([Deno.resolveDns(host, "A"), Deno.resolveDns(host, "AAAA")]);
    return [a, aaaa].flatMap((r) => (r.status === "fulfilled" ? r.value : []));
  });
  return cfg;
}

export function serve(app: { fetch: (req: Request) => Response | Promise<Response> }): void {
  bootstrap();
  Deno.serve(app.fetch);
}
