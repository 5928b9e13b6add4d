// The shared loopback server: records requests, applies queued faults, detects client aborts,
// and renders replies through a provider Protocol.
import { createServer } from "node:http";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { Conn, streamSse } from "./conn.ts";
import { defaultMessage } from "./protocol.ts";
import type { ChatPlan, ErrorSpec, Protocol, RouteMatch } from "./protocol.ts";
import { countWords, splitChunks } from "./text.ts";
import type { AbortRecord, Fake, Fault, RecordedRequest, Script, StartOptions } from "./types.ts";

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    req.on("data", (c: Buffer) => parts.push(c));
    req.on("end", () => resolve(Buffer.concat(parts).toString("utf8")));
    req.on("error", reject);
  });
}

function parseJson(text: string): unknown {
  if (text.length === 0) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function flatHeaders(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) {
    if (v !== undefined) out[k.toLowerCase()] = Array.isArray(v) ? v.join(", ") : v;
  }
  return out;
}

function matches(fault: Fault, path: string): boolean {
  if (fault.path === undefined) return true;
  return typeof fault.path === "string" ? path.includes(fault.path) : fault.path.test(path);
}

function poll<T>(check: () => T | undefined, timeoutMs: number, what: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const tick = (): void => {
      const value = check();
      if (value !== undefined) return resolve(value);
      if (Date.now() - started >= timeoutMs) return reject(new Error(`fake: timed out after ${timeoutMs}ms waiting for ${what}`));
      setTimeout(tick, 5);
    };
    tick();
  });
}

export async function startProtocolFake(protocol: Protocol, options: StartOptions = {}): Promise<Fake> {
  const requests: RecordedRequest[] = [];
  const aborts: AbortRecord[] = [];
  let queue: Fault[] = [];
  let script: Script = {};
  let closing = false;
  let counter = 0;

  const responseHeaders = (fault: Fault | undefined, n: number): Record<string, string> => {
    const h: Record<string, string> = {};
    if (protocol.requestIdHeader) h[protocol.requestIdHeader] = `req_fake_${n}`;
    if (fault?.retryAfter !== undefined) h["retry-after"] = String(fault.retryAfter);
    if (fault?.retryAfterMs !== undefined) h["retry-after-ms"] = String(fault.retryAfterMs);
    if (fault?.shouldRetry !== undefined) h["x-should-retry"] = String(fault.shouldRetry);
    return { ...h, ...fault?.headers };
  };

  const sendError = (conn: Conn, spec: ErrorSpec, headers: Record<string, string>): void => {
    const full: ErrorSpec = { ...spec, message: spec.message ?? defaultMessage(spec.status) };
    conn.json(spec.status, protocol.errorBody(full), headers);
  };

  const plan = (record: RecordedRequest, match: RouteMatch, fault: Fault | undefined): ChatPlan => {
    const prompt = protocol.prompt(record.body);
    const scripted = typeof script.reply === "function" ? script.reply(record) : script.reply;
    const reply = fault?.reply ?? scripted ?? `Echo: ${prompt.lastUser}`;
    const p: ChatPlan = {
      n: record.index,
      model: match.model ?? "fake-model",
      reply,
      chunks: splitChunks(reply),
      promptTokens: script.usage?.promptTokens ?? countWords(prompt.all),
      completionTokens: script.usage?.completionTokens ?? countWords(reply),
      created: Math.floor(record.time / 1000),
    };
    if (script.finishReason !== undefined) p.finishReason = script.finishReason;
    return p;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const conn = new Conn(res);
    const rawBody = await readBody(req);
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const body = parseJson(rawBody);
    const method = req.method ?? "GET";
    const match = protocol.route(method, url.pathname, url.searchParams, body);
    const record: RecordedRequest = {
      index: counter++,
      method,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: flatHeaders(req),
      body,
      rawBody,
      time: Date.now(),
      op: match?.op ?? "unknown",
      stream: match?.stream ?? false,
    };
    if (match?.model !== undefined) record.model = match.model;
    if (match?.deployment !== undefined) record.deployment = match.deployment;
    if (match?.apiVersion !== undefined) record.apiVersion = match.apiVersion;
    const qi = queue.findIndex((f) => matches(f, record.path));
    const fault = qi >= 0 ? queue.splice(qi, 1)[0] : undefined;
    if (fault) record.fault = fault;
    requests.push(record);

    res.on("close", () => {
      if (!res.writableFinished && !conn.cutByFake && !closing) {
        aborts.push({ time: Date.now(), request: record, chunksSent: conn.chunksSent });
      }
    });

    await conn.sleep(fault?.delayMs ?? 0);
    if (conn.closed) return;
    if (fault?.dropConnection) return conn.cut();
    if (fault?.hang) return conn.untilClosed();

    const headers = responseHeaders(fault, record.index);
    if (options.apiKey !== undefined && protocol.apiKey(record.headers, url.searchParams) !== options.apiKey) {
      return sendError(conn, { status: 401 }, headers);
    }
    if (fault?.status !== undefined && fault.status >= 400) {
      const spec: ErrorSpec = { status: fault.status };
      if (fault.errorType !== undefined) spec.type = fault.errorType;
      if (fault.message !== undefined) spec.message = fault.message;
      return sendError(conn, spec, headers);
    }
    if (!match) return sendError(conn, { status: 404, message: `fake ${protocol.kind}: no route for ${method} ${url.pathname}` }, headers);
    const invalid = protocol.validate(match, body, record.headers);
    if (invalid) return sendError(conn, invalid, headers);

    if (match.op === "models") return conn.json(200, protocol.models(script.models ?? protocol.defaultModels), headers);

    const p = plan(record, match, fault);
    if (!match.stream) {
      if (fault?.cutAfterChunks !== undefined || fault?.malformedAfterChunks !== undefined) {
        return conn.brokenJson(protocol.chatJson(p), headers, fault.cutAfterChunks !== undefined);
      }
      return conn.json(fault?.status ?? 200, protocol.chatJson(p), headers);
    }
    await streamSse(conn, protocol.chatFrames(p, body), fault, protocol, headers);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) {
        res.writeHead(500, { "content-type": "text/plain" });
        res.end(`fake ${protocol.kind} crashed: ${String(err)}`);
      } else {
        res.destroy();
      }
    });
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  const fake: Fake = {
    kind: protocol.kind,
    url: `http://127.0.0.1:${port}`,
    requests,
    aborts,
    enqueue(fault: Fault, times = 1) {
      for (let i = 0; i < times; i++) queue.push(fault);
    },
    script(s: Script) {
      script = { ...script, ...s };
    },
    reset() {
      requests.length = 0;
      aborts.length = 0;
      queue = [];
      script = {};
    },
    waitForAbort(timeoutMs = 1000, after = 0) {
      return poll(() => aborts[after], timeoutMs, "a client abort");
    },
    waitForRequests(count: number, timeoutMs = 1000) {
      return poll(() => (requests.length >= count ? requests : undefined), timeoutMs, `${count} requests`);
    },
    close() {
      closing = true;
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
  return fake;
}
