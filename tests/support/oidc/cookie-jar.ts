// A deliberately small cookie jar for driving HTTP flows with fetch + `redirect: "manual"`.
// Handles what oidc-provider (and typical apps) send: name=value, Path, Max-Age, Expires,
// deletion by past expiry. Cookies are scoped by origin (scheme + host + port) instead of by
// Domain, which is enough for loopback tests. Secure/HttpOnly/SameSite are ignored.

interface StoredCookie {
  name: string;
  value: string;
  origin: string;
  path: string;
  expiresAt: number | undefined; // epoch ms; undefined = session cookie
}

function defaultPath(pathname: string): string {
  // RFC 6265 §5.1.4
  if (!pathname.startsWith("/")) return "/";
  const last = pathname.lastIndexOf("/");
  return last <= 0 ? "/" : pathname.slice(0, last);
}

function pathMatches(requestPath: string, cookiePath: string): boolean {
  if (requestPath === cookiePath) return true;
  if (!requestPath.startsWith(cookiePath)) return false;
  return cookiePath.endsWith("/") || requestPath.charAt(cookiePath.length) === "/";
}

export class CookieJar {
  readonly #cookies = new Map<string, StoredCookie>();

  /** Stores every Set-Cookie header of `response`, received for a request to `url`. */
  storeFrom(url: string | URL, response: Response): void {
    for (const header of response.headers.getSetCookie()) this.setCookie(url, header);
  }

  /** Parses one Set-Cookie header value received for a request to `url`. */
  setCookie(url: string | URL, header: string): void {
    const target = new URL(url);
    const [pair = "", ...attributes] = header.split(";");
    const eq = pair.indexOf("=");
    if (eq <= 0) return;
    const name = pair.slice(0, eq).trim();
    const value = pair.slice(eq + 1).trim();
    let path = defaultPath(target.pathname);
    let expiresAt: number | undefined;
    let maxAgeSeen = false;
    for (const attribute of attributes) {
      const i = attribute.indexOf("=");
      const key = (i === -1 ? attribute : attribute.slice(0, i)).trim().toLowerCase();
      const val = i === -1 ? "" : attribute.slice(i + 1).trim();
      if (key === "path" && val.startsWith("/")) {
        path = val;
      } else if (key === "max-age" && /^-?\d+$/.test(val)) {
        maxAgeSeen = true;
        expiresAt = Date.now() + Number(val) * 1000;
      } else if (key === "expires" && !maxAgeSeen) {
        const t = Date.parse(val);
        if (!Number.isNaN(t)) expiresAt = t;
      }
    }
    const key = `${target.origin} ${path} ${name}`;
    if (expiresAt !== undefined && expiresAt <= Date.now()) {
      this.#cookies.delete(key);
      return;
    }
    this.#cookies.set(key, { name, value, origin: target.origin, path, expiresAt });
  }

  /** The Cookie request header for `url`, or undefined when no cookie applies. */
  headerFor(url: string | URL): string | undefined {
    const target = new URL(url);
    const now = Date.now();
    const matching: StoredCookie[] = [];
    for (const [key, cookie] of this.#cookies) {
      if (cookie.expiresAt !== undefined && cookie.expiresAt <= now) {
        this.#cookies.delete(key);
        continue;
      }
      if (cookie.origin === target.origin && pathMatches(target.pathname, cookie.path)) {
        matching.push(cookie);
      }
    }
    if (matching.length === 0) return undefined;
    // Longer paths first (RFC 6265 §5.4 ordering).
    matching.sort((a, b) => b.path.length - a.path.length);
    return matching.map((c) => `${c.name}=${c.value}`).join("; ");
  }

  /** Value of cookie `name` that would be sent to `url`. */
  get(url: string | URL, name: string): string | undefined {
    const header = this.headerFor(url);
    if (!header) return undefined;
    for (const part of header.split("; ")) {
      const eq = part.indexOf("=");
      if (part.slice(0, eq) === name) return part.slice(eq + 1);
    }
    return undefined;
  }

  clear(): void {
    this.#cookies.clear();
  }
}
