// The SSRF guard for every outbound URL Atrium calls (provider base URLs, OAuth token endpoints,
// OIDC issuers): checkUrl at save time and at call time, and guardedFetch for SDKs and token calls.
import { AppError } from "./errors.ts";
import { classifyIp, parseIpv4 } from "./ip.ts";
import type { AddressClass } from "./ip.ts";
import { log } from "./log.ts";

export interface CheckUrlOptions {
  /** Private and loopback ranges (10/8, 172.16/12, 192.168/16, 100.64/10, fc00::/7, 127/8, ::1,
   *  localhost, single-label and .internal/.local names): per provider, for Ollama and friends. */
  allowPrivateNetwork: boolean;
  /** Loopback only (127/8, ::1, localhost): the local stack and tests. Implied by allowPrivateNetwork. */
  allowLoopback?: boolean;
  /** Plain http to any allowed host; without it http is accepted only for allowed private hosts. */
  allowHttp?: boolean;
  /** Names the input in errors (`base_url`) and becomes the error's `field`. */
  field?: string;
}

export interface GuardedFetchOptions extends CheckUrlOptions {
  /** The fetch to wrap; the global fetch (looked up per call) when absent. */
  fetch?: typeof fetch;
  /** Abort after this long, body included — leave unset for streams and use the SDK's timeout. */
  timeoutMs?: number;
}

/** Every address (A and AAAA) a host name has; an empty list or a throw means "does not resolve". */
export type Resolver = (host: string) => Promise<string[]>;

let resolver: Resolver | null = null;
let warnedNoResolver = false;

/**
 * The platform's DNS lookup, installed by entry files (web standards have no DNS API). Without
 * one, host names are judged by name only: `localhost`, metadata names and private-looking names
 * are recognised, but `evil.example` pointing at 169.254.169.254 is not seen — a gap that only
 * the IP literal checks and the hosting network cover. `null` removes it (tests).
 */
export function setResolver(next: Resolver | null): void {
  resolver = next;
}

const METADATA_NAMES = new Set([
  "metadata",
  "metadata.google.internal",
  "metadata.goog",
  "instance-data",
  "instance-data.ec2.internal",
  "metadata.tencentyun.com",
]);
/** Suffixes that only exist inside a private network (RFC 6762, RFC 8375, cloud and cluster DNS). */
const PRIVATE_SUFFIXES = ["internal", "local", "localdomain", "lan", "home.arpa", "intranet"];

/**
 * Parse `raw` and refuse it unless it may be called: http(s) only, no credentials, port ≠ 0, no
 * link-local/metadata/multicast/reserved/IPv4-in-IPv6 address, private and loopback only when
 * allowed, https unless the host is an allowed private one (or allowHttp). Host names are
 * resolved with the installed resolver and every address must pass.
 */
export async function checkUrl(raw: string, opts: CheckUrlOptions): Promise<URL> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw notAllowed(opts, "is not a valid URL");
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") throw notAllowed(opts, "must be an https URL");
  if (url.username || url.password) {
    throw notAllowed(opts, "must not contain a user name or password; keep credentials in the provider's key");
  }
  if (url.port === "0") throw notAllowed(opts, "port 0 is not a port a server listens on");

  // WHATWG URL has already turned 2130706433, 0x7f.1, 0177.0.0.1 and 127.1 into 127.0.0.1 and
  // compressed IPv6; what is left is a dotted quad, a bracketed IPv6 literal, or a name.
  const host = url.hostname.toLowerCase();
  const classes = await hostClasses(host, opts);
  for (const { cls, subject } of classes) {
    if (cls.kind === "refused") throw notAllowed(opts, `${subject} ${cls.what}; such addresses are never allowed`);
  }
  for (const { cls, subject } of classes) {
    const ok = opts.allowPrivateNetwork || (cls.kind === "loopback" && opts.allowLoopback === true);
    if ((cls.kind === "private" || cls.kind === "loopback") && !ok) {
      throw notAllowed(
        opts,
        `${subject} ${cls.kind === "loopback" ? "a loopback address" : "on a private network"}, and private network ` +
          "addresses are not allowed for this provider; " +
          "enable 'allow private network' for local servers such as Ollama",
      );
    }
  }
  if (url.protocol === "http:" && !opts.allowHttp && classes.some(({ cls }) => cls.kind === "public")) {
    throw notAllowed(opts, "must use https; plain http is accepted only for private network hosts such as a local Ollama");
  }
  return url;
}

interface Judged {
  cls: AddressClass;
  /** Completes "<subject> <what>", e.g. "evil.example resolves to 169.254.169.254, which is". */
  subject: string;
}

async function hostClasses(host: string, opts: CheckUrlOptions): Promise<Judged[]> {
  const literal = classifyIp(host);
  if (literal) return [{ cls: literal, subject: `${host} is` }];
  // A dotted-numeric host that is not a canonical quad should be impossible after WHATWG parsing;
  // refuse rather than guess how another parser would read it.
  if (/^(0x[0-9a-f]*|\d+)(\.(0x[0-9a-f]*|\d+))*\.?$/i.test(host) && parseIpv4(host) === null) {
    return [{ cls: { kind: "refused", what: "a numeric host in an unusual form" }, subject: `${host} is` }];
  }
  const name = host.replace(/\.$/, "");
  if (name === "localhost" || name.endsWith(".localhost")) return [{ cls: { kind: "loopback" }, subject: `${host} is` }];
  if (METADATA_NAMES.has(name)) return [{ cls: { kind: "refused", what: "a cloud metadata host" }, subject: `${host} is` }];
  const privateName = !name.includes(".") || PRIVATE_SUFFIXES.some((s) => name.endsWith(`.${s}`));
  const byName: Judged = { cls: { kind: privateName ? "private" : "public" }, subject: `${host} is` };

  if (!resolver) {
    if (!warnedNoResolver) {
      warnedNoResolver = true;
      log("warn", "net_guard_no_resolver", { host, note: "host names are not resolved before outbound calls" });
    }
    return [byName];
  }
  let addresses: string[] = [];
  try {
    addresses = await resolver(name);
  } catch (err) {
    log("info", "net_guard_resolve_failed", { host, error: err });
  }
  if (addresses.length === 0) {
    // A private name may live only in /etc/hosts or a container network the resolver does not
    // see; the connection will use the system's own lookup, which an outsider cannot steer.
    if (privateName && opts.allowPrivateNetwork) return [byName];
    throw notAllowed(opts, `the host name ${host} could not be resolved`);
  }
  const judged = addresses.map((a): Judged => ({
    cls: classifyIp(a) ?? { kind: "refused", what: "not an IP address (the resolver answered something else)" },
    subject: `${host} resolves to ${a}, which is`,
  }));
  return privateName ? [byName, ...judged] : judged;
}

function notAllowed(opts: CheckUrlOptions, why: string): AppError {
  const field = opts.field ?? "url";
  return new AppError("validation_failed", `${field}: ${why}`, {
    code: "url_not_allowed",
    ...(opts.field ? { field: opts.field } : {}),
  });
}

/**
 * A fetch for SDKs (`new OpenAI({ fetch })`) and token calls: checks the URL and its addresses
 * before every request, never follows a redirect (a 3xx answer becomes an `upstream_redirect`
 * error) and optionally times out. The target is the URL the caller passed; a body cannot move it
 * and a Host header naming another host is refused.
 *
 * DNS rebinding: the check resolves the name, then fetch resolves it again to connect, so a name
 * with a tiny TTL can answer a public address to us and a private one to the connection. Web
 * fetch cannot be pinned to an address; what closes the gap is the hosting network (Supabase's
 * edge has no route to private ranges or metadata) — the guard stops every static form.
 */
export function guardedFetch(opts: GuardedFetchOptions): typeof fetch {
  return async (input, init) => {
    const href = input instanceof Request ? input.url : input instanceof URL ? input.href : input;
    const url = await checkUrl(href, opts);
    const headers = new Headers(init?.headers ?? (input instanceof Request ? input.headers : undefined));
    const hostHeader = headers.get("host");
    if (hostHeader !== null && hostHeader.toLowerCase() !== url.host.toLowerCase()) {
      throw notAllowed(opts, "a Host header naming another host is not allowed");
    }
    const callerSignal = init?.signal ?? (input instanceof Request ? input.signal : undefined);
    const signals = [callerSignal, opts.timeoutMs ? AbortSignal.timeout(opts.timeoutMs) : undefined].filter(
      (s): s is AbortSignal => s !== undefined && s !== null,
    );
    const doFetch = opts.fetch ?? fetch;
    const res = await doFetch(input, {
      ...init,
      redirect: "manual",
      ...(signals.length ? { signal: signals.length === 1 ? signals[0] : AbortSignal.any(signals) } : {}),
    });
    // 304 answers a conditional request; it moves nothing. Browsers report a manual redirect as
    // an opaque response with status 0.
    if (res.type === "opaqueredirect" || res.status === 0 || (res.status >= 300 && res.status < 400 && res.status !== 304)) {
      await res.body?.cancel();
      log("warn", "upstream_redirect_refused", {
        field: opts.field,
        url: `${url.origin}${url.pathname}`,
        status: res.status,
        location: res.headers.get("location")?.slice(0, 300),
      });
      throw new AppError(
        "upstream_error",
        `${opts.field ?? "url"}: the server answered with a redirect, which is not followed; use the final URL instead`,
        { code: "upstream_redirect", ...(opts.field ? { field: opts.field } : {}) },
      );
    }
    return res;
  };
}
