// The health function over HTTP through the local edge router, and the router's own answers.
import { request } from "node:http";
import { describe, expect, it } from "vitest";
import { errorCatalog } from "../../shared/errors.ts";
import { api, apiUrl, errorCode } from "../support/stack.ts";

describe("GET /health", () => {
  it("answers ok with version and database status", async () => {
    const res = await api("/health");
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: "ok", version: expect.any(String), database: "ok" });
    expect(res.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("echoes a sane incoming request id and replaces an oversized one", async () => {
    const mine = await api("/health", { headers: { "x-request-id": "trace-123" } });
    expect(mine.headers.get("x-request-id")).toBe("trace-123");
    const long = await api("/health", { headers: { "x-request-id": "x".repeat(500) } });
    expect(long.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("serves its OpenAPI document", async () => {
    const res = await api<{ openapi: string; paths: Record<string, unknown> }>("/health/openapi.json");
    expect(res.status).toBe(200);
    expect(res.body.openapi).toBe("3.1.0");
    expect(Object.keys(res.body.paths)).toContain("/health");
  });
});

describe("routing", () => {
  it("an unknown function is 404 in the one error shape", async () => {
    const res = await api("/no-such-function");
    expect(res.status).toBe(errorCatalog.not_found.status);
    expect(res.body).toEqual({
      error: { type: "not_found_error", code: "not_found", message: 'There is no function named "no-such-function".' },
    });
  });

  it("an unknown route inside a function is 404 in the one error shape", async () => {
    const res = await api("/health/nope");
    expect(res.status).toBe(404);
    expect(errorCode(res)).toBe("not_found");
  });

  it("the web bundle is served at /, deep links fall back to index.html, assets keep their type", async () => {
    const origin = new URL(apiUrl).origin;
    const index = await fetch(`${origin}/`);
    expect(index.status).toBe(200);
    expect(index.headers.get("content-type")).toContain("text/html");
    const html = await index.text();
    expect(html).toContain('<div id="root">');
    const deep = await fetch(`${origin}/chat/some-conversation`);
    expect(await deep.text()).toBe(html);
    const script = /src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    const asset = await fetch(`${origin}${script}`);
    expect(asset.headers.get("content-type")).toContain("javascript");
    expect(asset.headers.get("cache-control")).toContain("immutable");
  });

  it("a path escaping the bundle folder is refused", async () => {
    // Sent raw: fetch would normalise the path before it leaves the client.
    const { hostname, port } = new URL(apiUrl);
    const status = await new Promise<number | undefined>((resolve, reject) =>
      request({ hostname, port, path: "/..%2f..%2fpackage.json" }, (res) => {
        res.resume();
        resolve(res.statusCode);
      })
        .on("error", reject)
        .end(),
    );
    expect(status).toBe(400);
  });
});
