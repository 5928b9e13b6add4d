// The SSRF guard (functions/_shared/net-guard.ts): every refused URL form, private networks only
// when a provider allows them, host names judged by where they resolve, and redirects never followed.
import { createServer } from "node:http";
import type { IncomingMessage, Server } from "node:http";
import type { AddressInfo } from "node:net";
import { lookup } from "node:dns/promises";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { AppError } from "../../functions/_shared/errors.ts";
import { setLogLevel } from "../../functions/_shared/log.ts";
import { checkUrl, guardedFetch, setResolver } from "../../functions/_shared/net-guard.ts";
import type { CheckUrlOptions, Resolver } from "../../functions/_shared/net-guard.ts";

const PUBLIC_ONLY: CheckUrlOptions = { allowPrivateNetwork: false, field: "base_url" };
const PRIVATE_OK: CheckUrlOptions = { allowPrivateNetwork: true, field: "base_url" };

/** How the Node side resolves names, as the Deno entry files do with Deno.resolveDns. */
const nodeResolver: Resolver = async (host) => (await lookup(host, { all: true, verbatim: true })).map((a) => a.address);

/** Awaits `p` and checks it failed with this AppError code; returns the error. */
async function refused(p: Promise<unknown>, code = "url_not_allowed"): Promise<AppError> {
  let caught: unknown;
  try {
    await p;
  } catch (err) {
    caught = err;
  }
  expect(caught, `expected AppError ${code}`).toBeInstanceOf(AppError);
  const err = caught as AppError;
  expect(err.code).toBe(code);
  return err;
}

beforeAll(() => setLogLevel("error"));
afterEach(() => setResolver(null));

describe("checkUrl: forms refused even when private networks are allowed", () => {
  const never: Array<[string, string]> = [
    // link-local and cloud metadata
    ["http://169.254.169.254/latest/meta-data/", "link-local"],
    ["https://169.254.0.1/", "link-local"],
    ["http://[fe80::1]/", "link-local"],
    ["http://[febf:ffff::1]/", "link-local"],
    ["http://[fd00:ec2::254]/latest/meta-data/", "metadata"],
    ["http://100.100.100.200/latest/meta-data/", "metadata"],
    ["http://metadata.google.internal/computeMetadata/v1/", "metadata"],
    ["http://METADATA.google.internal./computeMetadata/v1/", "metadata"],
    ["http://metadata/computeMetadata/v1/", "metadata"],
    ["http://instance-data/latest/", "metadata"],
    // the metadata address in numeric disguises that WHATWG URL canonicalises to 169.254.169.254
    ["http://2852039166/", "link-local"],
    ["http://0xa9fea9fe/", "link-local"],
    ["http://0xa9.0xfe.0xa9.0xfe/", "link-local"],
    ["http://0251.0376.0251.0376/", "link-local"],
    ["http://169.254.43518/", "link-local"],
    ["http://%31%36%39.254.169.254/", "link-local"],
    // "this network", multicast, broadcast, reserved
    ["http://0.0.0.0:11434/", "0.0.0.0/8"],
    ["http://0/", "0.0.0.0/8"],
    ["http://0.1.2.3/", "0.0.0.0/8"],
    ["http://[::]/", "unspecified"],
    ["http://224.0.0.1/", "multicast"],
    ["http://239.255.255.250:1900/", "multicast"],
    ["http://[ff02::1]/", "multicast"],
    ["http://255.255.255.255/", "broadcast"],
    ["http://240.0.0.1/", "reserved"],
    // IPv4 written as IPv6: mapped, compatible, SIIT, NAT64 and 6to4 towards non-public space
    ["http://[::ffff:127.0.0.1]:11434/", "IPv6 form"],
    ["http://[::ffff:169.254.169.254]/", "IPv6 form"],
    ["http://[0:0:0:0:0:ffff:a9fe:a9fe]/", "IPv6 form"],
    ["http://[::ffff:10.0.0.1]/", "IPv6 form"],
    ["http://[::127.0.0.1]/", "IPv6 form"],
    ["http://[::ffff:0:169.254.169.254]/", "IPv6 form"],
    ["http://[64:ff9b::169.254.169.254]/", "NAT64"],
    ["http://[64:ff9b::10.0.0.1]/", "NAT64"],
    ["http://[64:ff9b::127.0.0.1]/", "NAT64"],
    ["http://[64:ff9b:1::192.168.0.1]/", "NAT64"],
    ["http://[2002:a9fe:a9fe::1]/", "6to4"],
    // what a URL must not carry
    ["http://user:pass@127.0.0.1:11434/", "user name or password"],
    ["https://sk-live@api.openai.com/v1", "user name or password"],
    ["https://:secret@api.openai.com/v1", "user name or password"],
    ["https://api.openai.com:0/v1", "port 0"],
    ["ftp://127.0.0.1/", "https URL"],
    ["file:///etc/passwd", "https URL"],
    ["javascript:alert(1)", "https URL"],
    ["not a url", "not a valid URL"],
    ["", "not a valid URL"],
  ];

  it.each(never)("%s is refused (%s)", async (url, why) => {
    const err = await refused(checkUrl(url, { ...PRIVATE_OK, allowHttp: true, allowLoopback: true }));
    expect(err.status).toBe(400);
    expect(err.family).toBe("validation_failed");
    expect(err.message).toMatch(/^base_url: /);
    expect(err.message).toContain(why);
    expect(err.body().error).toMatchObject({ code: "url_not_allowed", field: "base_url" });
  });

  it("names no field when the caller gives none", async () => {
    const err = await refused(checkUrl("http://169.254.169.254/", { allowPrivateNetwork: true }));
    expect(err.body().error.field).toBeUndefined();
    expect(err.message).toMatch(/^url: 169\.254\.169\.254 is a link-local address/);
  });
});

describe("checkUrl: private and loopback only with the provider's flag", () => {
  const privateUrls = [
    "http://localhost:11434/v1",
    "http://LOCALHOST:11434/v1",
    "http://localhost.:11434/v1",
    "http://ollama.localhost:11434/v1",
    "http://127.0.0.1:11434/v1",
    "http://127.255.255.254/",
    "http://[::1]:11434/v1",
    "http://10.0.0.8/v1",
    "http://172.16.0.1/v1",
    "http://172.31.255.255/v1",
    "http://192.168.1.20:1234/v1",
    "http://100.64.0.1/v1",
    "http://100.127.255.254/v1",
    "http://[fc00::1]/v1",
    "http://[fd12:3456:789a::1]:8000/v1",
    "http://ollama:11434/v1", // a compose service name
    "http://vllm.internal:8000/v1",
    "http://llm.default.svc.cluster.local/v1",
    "https://10.0.0.8/v1",
  ];

  it.each(privateUrls)("%s is refused without the flag", async (url) => {
    const err = await refused(checkUrl(url, PUBLIC_ONLY));
    expect(err.message).toContain(
      "private network addresses are not allowed for this provider; enable 'allow private network' for local servers such as Ollama",
    );
  });

  it.each(privateUrls)("%s is accepted with the flag, http included", async (url) => {
    const u = await checkUrl(url, PRIVATE_OK);
    expect(u.href).toBe(new URL(url).href);
  });

  // WHATWG URL turns these into 127.0.0.1; the canonical result is what gets judged.
  it.each(["http://2130706433:11434/", "http://0x7f.1:11434/", "http://0177.0.0.1:11434/", "http://127.1:11434/", "http://0x7f000001:11434/"])(
    "%s is loopback in disguise: refused without the flag, 127.0.0.1 with it",
    async (url) => {
      await refused(checkUrl(url, PUBLIC_ONLY));
      expect((await checkUrl(url, PRIVATE_OK)).hostname).toBe("127.0.0.1");
    },
  );

  it("allowLoopback admits loopback but no other private range (the local stack)", async () => {
    const loopbackOnly: CheckUrlOptions = { allowPrivateNetwork: false, allowLoopback: true, field: "issuer" };
    expect((await checkUrl("http://127.0.0.1:9000/oidc", loopbackOnly)).port).toBe("9000");
    expect((await checkUrl("http://localhost:9000/oidc", loopbackOnly)).hostname).toBe("localhost");
    await refused(checkUrl("https://10.0.0.8/adfs", loopbackOnly));
    await refused(checkUrl("https://[fd00::1]/", loopbackOnly));
  });

  it("ranges end where they end", async () => {
    for (const url of ["https://172.15.255.255/", "https://172.32.0.1/", "https://100.63.255.255/", "https://100.128.0.1/", "https://11.0.0.1/", "https://192.169.0.1/", "https://[2606:4700::1111]/", "https://[64:ff9b::8.8.8.8]/"]) {
      expect((await checkUrl(url, PUBLIC_ONLY)).href).toBe(new URL(url).href);
    }
  });
});

describe("checkUrl: https for public hosts", () => {
  it.each(["http://api.openai.com/v1", "http://8.8.8.8/v1", "http://[2606:4700::1111]/v1"])("%s is refused", async (url) => {
    const err = await refused(checkUrl(url, PRIVATE_OK));
    expect(err.message).toContain("must use https");
  });

  it("accepts https public hosts, and http when allowHttp says so", async () => {
    expect((await checkUrl("https://api.openai.com/v1", PUBLIC_ONLY)).href).toBe("https://api.openai.com/v1");
    expect((await checkUrl("https://api.openai.com:8443/v1", PUBLIC_ONLY)).port).toBe("8443");
    expect((await checkUrl("http://api.example.com/v1", { ...PUBLIC_ONLY, allowHttp: true })).protocol).toBe("http:");
    await refused(checkUrl("http://169.254.169.254/", { ...PUBLIC_ONLY, allowHttp: true }));
  });
});

describe("checkUrl: host names are judged by where they resolve", () => {
  const zone: Record<string, string[]> = {
    "api.acme.example": ["93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946"],
    "evil.example": ["169.254.169.254"],
    "evil6.example": ["fd00:ec2::254"],
    "mapped.example": ["::ffff:169.254.169.254"],
    "split.example": ["93.184.216.34", "10.0.0.7"],
    "gpu.acme.example": ["10.20.30.40"],
    "weird.example": ["not-an-address"],
    "zoned.example": ["fe80::1%eth0"],
  };
  const asked: string[] = [];
  const fake: Resolver = async (host) => {
    asked.push(host);
    const found = zone[host];
    if (!found) throw new Error(`ENOTFOUND ${host}`);
    return found;
  };
  beforeEach(() => {
    asked.length = 0;
    setResolver(fake);
  });

  it("refuses a name that resolves to the metadata address, whatever the flags", async () => {
    for (const host of ["evil.example", "evil6.example", "mapped.example", "zoned.example", "weird.example"]) {
      const err = await refused(checkUrl(`https://${host}/v1`, { ...PRIVATE_OK, allowHttp: true }));
      expect(err.message).toMatch(new RegExp(`^base_url: ${host.replace(".", "\\.")} resolves to `));
    }
    expect(asked).toContain("evil.example");
  });

  it("accepts a public name, and checks every address it has", async () => {
    expect((await checkUrl("https://api.acme.example/v1", PUBLIC_ONLY)).hostname).toBe("api.acme.example");
    const err = await refused(checkUrl("https://split.example/v1", PUBLIC_ONLY));
    expect(err.message).toContain("split.example resolves to 10.0.0.7, which is on a private network");
  });

  it("treats a name that resolves to a private address as private (http allowed with the flag)", async () => {
    await refused(checkUrl("http://gpu.acme.example:8000/v1", PUBLIC_ONLY));
    expect((await checkUrl("http://gpu.acme.example:8000/v1", PRIVATE_OK)).port).toBe("8000");
  });

  it("refuses a name that does not resolve, unless it is a private name and private is allowed", async () => {
    const err = await refused(checkUrl("https://nowhere.example/v1", PRIVATE_OK));
    expect(err.message).toBe("base_url: the host name nowhere.example could not be resolved");
    expect((await checkUrl("http://ollama:11434/v1", PRIVATE_OK)).hostname).toBe("ollama");
    await refused(checkUrl("http://ollama:11434/v1", PUBLIC_ONLY));
  });

  it("never asks the resolver about IP literals or localhost", async () => {
    await checkUrl("http://127.0.0.1:11434/", PRIVATE_OK);
    await checkUrl("http://localhost:11434/", PRIVATE_OK);
    await checkUrl("https://8.8.8.8/", PUBLIC_ONLY);
    expect(asked).toEqual([]);
  });

  it("works with a real node:dns lookup: a name landing on loopback is private", async () => {
    setResolver(async (host) => nodeResolver(host === "llm.acme.test" ? "localhost" : host));
    await refused(checkUrl("http://llm.acme.test:11434/v1", PUBLIC_ONLY));
    expect((await checkUrl("http://llm.acme.test:11434/v1", PRIVATE_OK)).hostname).toBe("llm.acme.test");
  });

  it("without a resolver judges names by name only (the documented gap)", async () => {
    setResolver(null);
    expect((await checkUrl("https://evil.example/v1", PUBLIC_ONLY)).hostname).toBe("evil.example");
    await refused(checkUrl("http://metadata.google.internal/", PRIVATE_OK));
    await refused(checkUrl("http://ollama:11434/v1", PUBLIC_ONLY));
    await refused(checkUrl("http://evil.example/v1", PRIVATE_OK)); // a public-looking name still needs https
  });
});

describe("guardedFetch against a loopback server", () => {
  let server: Server;
  let base: string;
  const seen: Array<{ method: string; url: string; body: string }> = [];

  beforeAll(async () => {
    server = createServer((req: IncomingMessage, res) => {
      let body = "";
      req.on("data", (c: Buffer) => (body += c.toString()));
      req.on("end", () => {
        seen.push({ method: req.method ?? "", url: req.url ?? "", body });
        if (req.url === "/v1/redirect") {
          res.writeHead(302, { location: `${base}/v1/target` }).end();
        } else if (req.url === "/v1/redirect-307") {
          res.writeHead(307, { location: `${base}/v1/target` }).end();
        } else if (req.url === "/v1/slow") {
          setTimeout(() => res.writeHead(200).end("late"), 5_000).unref();
        } else {
          res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ ok: true, path: req.url }));
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  beforeEach(() => {
    seen.length = 0;
  });

  it("lets an allowed loopback request through", async () => {
    const f = guardedFetch({ ...PRIVATE_OK });
    const res = await f(`${base}/v1/models`, { headers: { authorization: "Bearer sk-test" } });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true, path: "/v1/models" });
    const viaRequest = await f(new Request(`${base}/v1/chat/completions`, { method: "POST", body: '{"model":"llama3"}' }));
    expect(viaRequest.status).toBe(200);
    expect(seen.map((s) => [s.method, s.url, s.body])).toEqual([
      ["GET", "/v1/models", ""],
      ["POST", "/v1/chat/completions", '{"model":"llama3"}'],
    ]);
  });

  it("refuses loopback without the flag before any byte is sent", async () => {
    await refused(guardedFetch(PUBLIC_ONLY)(`${base}/v1/models`));
    await refused(guardedFetch(PUBLIC_ONLY)(new URL(`${base}/v1/models`)));
    expect(seen).toEqual([]);
  });

  it("turns a redirect into an error and never requests its target", async () => {
    const f = guardedFetch(PRIVATE_OK);
    const err = await refused(f(`${base}/v1/redirect`), "upstream_redirect");
    expect(err.status).toBe(502);
    expect(err.message).toBe("base_url: the server answered with a redirect, which is not followed; use the final URL instead");
    await refused(f(`${base}/v1/redirect-307`, { method: "POST", body: "{}", redirect: "follow" }), "upstream_redirect");
    await refused(f(new Request(`${base}/v1/redirect`, { redirect: "follow" })), "upstream_redirect");
    expect(seen.map((s) => s.url)).toEqual(["/v1/redirect", "/v1/redirect-307", "/v1/redirect"]);
  });

  it("refuses a Host header that names another host", async () => {
    await refused(guardedFetch(PRIVATE_OK)(`${base}/v1/models`, { headers: { host: "169.254.169.254" } }));
    expect(seen).toEqual([]);
  });

  it("times out", async () => {
    const started = Date.now();
    await expect(guardedFetch({ ...PRIVATE_OK, timeoutMs: 200 })(`${base}/v1/slow`)).rejects.toMatchObject({ name: "TimeoutError" });
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it("keeps the caller's abort signal alongside its own timeout", async () => {
    const ctl = new AbortController();
    const pending = guardedFetch({ ...PRIVATE_OK, timeoutMs: 10_000 })(`${base}/v1/slow`, { signal: ctl.signal });
    setTimeout(() => ctl.abort(), 50);
    await expect(pending).rejects.toMatchObject({ name: "AbortError" });
  });

  it("checks resolved addresses before calling the wrapped fetch", async () => {
    let calls = 0;
    const inner: typeof fetch = async () => {
      calls++;
      return new Response("{}");
    };
    setResolver(async (host) => (host === "api.evil.example" ? ["169.254.169.254"] : ["93.184.216.34"]));
    const f = guardedFetch({ ...PRIVATE_OK, fetch: inner });
    await refused(f("https://api.evil.example/v1/chat/completions", { method: "POST", body: "{}" }));
    expect(calls).toBe(0);
    expect((await f("https://api.acme.example/v1/models")).status).toBe(200);
    expect(calls).toBe(1);
  });
});
