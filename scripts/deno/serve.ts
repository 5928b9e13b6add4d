// The local edge runtime: serves every functions/<fn>/app.ts at /functions/v1/<fn>/… with the
// prefix stripped as Supabase's edge runtime does, and the built web bundle at /.
// Run by scripts/lib/functions-server.ts under the npm `deno` binary.
import { closeDb } from "../../functions/_shared/db.ts";
import { bootstrap } from "../../functions/_shared/deno-entry.ts";
import { AppError } from "../../functions/_shared/errors.ts";

type Fetch = (req: Request) => Response | Promise<Response>;

const root = new URL("../../", import.meta.url);
bootstrap();
const port = Number(Deno.env.get("ATRIUM_PORT") ?? "54321");
const webDir = new URL("web/dist/", root);

/** Every folder in functions/ that has an app.ts, except _shared. */
async function loadFunctions(): Promise<Map<string, Fetch>> {
  const apps = new Map<string, Fetch>();
  for await (const entry of Deno.readDir(new URL("functions/", root))) {
    if (!entry.isDirectory || entry.name.startsWith("_")) continue;
    const file = new URL(`functions/${entry.name}/app.ts`, root);
    try {
      await Deno.stat(file);
    } catch {
      continue;
    }
    const mod = (await import(file.href)) as { app: { fetch: Fetch } };
    apps.set(entry.name, mod.app.fetch);
  }
  return apps;
}

const contentTypes: Record<string, string> = {
  html: "text/html; charset=utf-8",
  js: "text/javascript; charset=utf-8",
  css: "text/css; charset=utf-8",
  svg: "image/svg+xml",
  png: "image/png",
  ico: "image/x-icon",
  json: "application/json",
  woff2: "font/woff2",
  txt: "text/plain; charset=utf-8",
};

async function serveStatic(pathname: string): Promise<Response> {
  const clean = decodeURIComponent(pathname).replace(/\\/g, "/");
  if (clean.split("/").includes("..")) return new Response("Bad path", { status: 400 });
  const candidates = [clean.endsWith("/") ? `${clean}index.html` : clean, "/index.html"]; // SPA fallback
  for (const candidate of candidates) {
    try {
      const file = new URL(`.${candidate}`, webDir);
      const body = await Deno.readFile(file);
      const ext = candidate.split(".").pop() ?? "";
      const immutable = candidate.startsWith("/assets/");
      return new Response(body, {
        headers: {
          "content-type": contentTypes[ext] ?? "application/octet-stream",
          "cache-control": immutable ? "public, max-age=31536000, immutable" : "no-cache",
        },
      });
    } catch {
      // try the next candidate
    }
  }
  return new Response("The web app is not built yet: run `npm run build`.\n", {
    status: 404,
    headers: { "content-type": "text/plain; charset=utf-8" },
  });
}

const apps = await loadFunctions();
const prefix = "/functions/v1/";

const server = Deno.serve({ hostname: "127.0.0.1", port, onListen: () => {} }, (req, info) => {
  const url = new URL(req.url);
  if (!url.pathname.startsWith(prefix)) return serveStatic(url.pathname);
  const fn = url.pathname.slice(prefix.length).split("/")[0] ?? "";
  const handler = apps.get(fn);
  if (!handler) return new AppError("not_found", `There is no function named "${fn}".`).toResponse();
  url.pathname = url.pathname.slice(prefix.length - 1); // "/functions/v1/chat/x" → "/chat/x"
  const forwarded = new Request(url, req);
  // Like Supabase's gateway: the client address comes from the connection, not from the client.
  forwarded.headers.set("x-forwarded-for", info.remoteAddr.hostname);
  return handler(forwarded);
});

console.log(JSON.stringify({ event: "listening", port, functions: [...apps.keys()] }));

async function shutdown(): Promise<void> {
  // Open streams get a moment to finish; a stuck one does not hold the process.
  await Promise.race([server.shutdown(), new Promise((resolve) => setTimeout(resolve, 3000))]);
  await closeDb();
  Deno.exit(0);
}
Deno.addSignalListener("SIGTERM", shutdown);
Deno.addSignalListener("SIGINT", shutdown);
