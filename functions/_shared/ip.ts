// IP address parsing and the range table behind the SSRF guard (net-guard.ts): which addresses
// are public, private, loopback, or never reachable from Atrium (link-local, metadata, multicast…).

/** Where an address points, as far as outbound calls are concerned. */
export type AddressClass =
  | { kind: "public" }
  | { kind: "loopback" }
  | { kind: "private" }
  /** `what` completes "<address> is …", e.g. "a multicast address". */
  | { kind: "refused"; what: string };

const PUBLIC: AddressClass = { kind: "public" };
const LOOPBACK: AddressClass = { kind: "loopback" };
const PRIVATE: AddressClass = { kind: "private" };
const refused = (what: string): AddressClass => ({ kind: "refused", what });

const METADATA = refused("a cloud metadata address");
const LINK_LOCAL_V4 = refused("a link-local address (169.254.0.0/16, where cloud metadata services answer)");
const MAPPED = refused("an IPv4 address written in IPv6 form (::ffff:a.b.c.d or ::a.b.c.d)");

/** Strict dotted quad (`10.0.0.1`); the legacy numeric forms are WHATWG URL's job, not ours. */
export function parseIpv4(text: string): number | null {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (!m) return null;
  const parts = m.slice(1).map((p) => (p.length > 1 && p.startsWith("0") ? NaN : Number(p)));
  if (parts.some((p) => !(p >= 0 && p <= 255))) return null;
  return parts.reduce((n, p) => n * 256 + p, 0);
}

/** Eight 16-bit groups; `::` and a dotted IPv4 tail are accepted, zone ids (`%eth0`) are not. */
export function parseIpv6(input: string): number[] | null {
  let text = input.startsWith("[") && input.endsWith("]") ? input.slice(1, -1) : input;
  const lastColon = text.lastIndexOf(":");
  if (lastColon < 0) return null;
  if (text.includes(".", lastColon)) {
    const v4 = parseIpv4(text.slice(lastColon + 1));
    if (v4 === null) return null;
    text = `${text.slice(0, lastColon + 1)}${(v4 >>> 16).toString(16)}:${(v4 & 0xffff).toString(16)}`;
  }
  const halves = text.split("::");
  if (halves.length > 2) return null;
  const groups = (part: string) =>
    part === "" ? [] : part.split(":").map((g) => (/^[0-9a-f]{1,4}$/i.test(g) ? parseInt(g, 16) : NaN));
  const head = groups(halves[0] ?? "");
  const tail = halves.length === 2 ? groups(halves[1] ?? "") : [];
  if ([...head, ...tail].some(Number.isNaN)) return null;
  if (halves.length === 1) return head.length === 8 ? head : null;
  const fill = 8 - head.length - tail.length;
  return fill >= 1 ? [...head, ...new Array<number>(fill).fill(0), ...tail] : null;
}

/** Classify an IP literal (`10.0.0.1`, `::1`, `[fe80::1]`); null when `text` is not one. */
export function classifyIp(text: string): AddressClass | null {
  const v4 = parseIpv4(text);
  if (v4 !== null) return classifyIpv4(v4);
  const v6 = parseIpv6(text);
  return v6 ? classifyIpv6(v6) : null;
}

// First match wins, so exceptions come before the range that contains them.
const v4Ranges: Array<[string, number, AddressClass]> = [
  ["100.100.100.200", 32, METADATA], // Alibaba Cloud, inside CGNAT space
  ["0.0.0.0", 8, refused('an address in 0.0.0.0/8 ("this network", which reaches the local host)')],
  ["127.0.0.0", 8, LOOPBACK],
  ["10.0.0.0", 8, PRIVATE],
  ["100.64.0.0", 10, PRIVATE], // carrier-grade NAT
  ["172.16.0.0", 12, PRIVATE],
  ["192.168.0.0", 16, PRIVATE],
  ["192.0.0.0", 24, PRIVATE], // IETF protocol assignments (DS-Lite, NAT64 discovery)
  ["198.18.0.0", 15, PRIVATE], // benchmarking networks, used inside data centres
  ["169.254.0.0", 16, LINK_LOCAL_V4],
  ["224.0.0.0", 4, refused("a multicast address")],
  ["240.0.0.0", 4, refused("a reserved or broadcast address (240.0.0.0/4)")],
];
const v4Table = v4Ranges.map(([base, bits, cls]) => {
  const mask = bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0;
  return { net: (parseIpv4(base) ?? 0) & mask, mask, cls };
});

function classifyIpv4(n: number): AddressClass {
  return v4Table.find(({ net, mask }) => ((n & mask) >>> 0) === net >>> 0)?.cls ?? PUBLIC;
}

const v4Of = (g: number[], at: number) => ((g[at] ?? 0) * 0x10000 + (g[at + 1] ?? 0)) >>> 0;
const dotted = (n: number) => [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join(".");

/** An IPv6 form that carries an IPv4 address is as good as that address, and no better. */
function embedded(kind: string, v4: number): AddressClass {
  const inner = classifyIpv4(v4);
  return inner.kind === "public" ? PUBLIC : refused(`a ${kind} address that points at ${dotted(v4)}`);
}

function classifyIpv6(g: number[]): AddressClass {
  const [g0 = 0, g1 = 0, g2 = 0, g3 = 0, g4 = 0, g5 = 0, g6 = 0, g7 = 0] = g;
  const zeroTo = (end: number) => g.slice(0, end).every((x) => x === 0);
  if (zeroTo(8)) return refused("the unspecified address (::, which reaches the local host)");
  if (zeroTo(7) && g7 === 1) return LOOPBACK;
  if (zeroTo(5) && g5 === 0xffff) return MAPPED; // ::ffff:a.b.c.d
  if (zeroTo(4) && g4 === 0xffff && g5 === 0) return MAPPED; // ::ffff:0:a.b.c.d (SIIT)
  if (zeroTo(6)) return MAPPED; // ::a.b.c.d (deprecated IPv4-compatible)
  if (g0 === 0xfd00 && g1 === 0x0ec2 && g2 === 0 && g3 === 0 && g4 === 0 && g5 === 0 && g6 === 0 && g7 === 0x254) {
    return METADATA; // AWS IMDS over IPv6
  }
  if (g0 === 0x64 && g1 === 0xff9b && g2 === 0 && g3 === 0 && g4 === 0 && g5 === 0) return embedded("NAT64", v4Of(g, 6));
  if (g0 === 0x64 && g1 === 0xff9b && g2 === 1) {
    // Local-use 64:ff9b:1::/48: the IPv4 part sits at the end only in the /96 layout.
    return g3 === 0 && g4 === 0 && g5 === 0 ? embedded("NAT64", v4Of(g, 6)) : refused("a local-use NAT64 address");
  }
  if (g0 === 0x2002) return embedded("6to4", v4Of(g, 1));
  if (g0 === 0x2001 && g1 === 0) return refused("a Teredo tunnel address");
  if ((g0 & 0xffc0) === 0xfe80) return refused("a link-local address (fe80::/10)");
  if ((g0 & 0xffc0) === 0xfec0) return PRIVATE; // deprecated site-local
  if ((g0 & 0xfe00) === 0xfc00) return PRIVATE; // unique local fc00::/7
  if ((g0 & 0xff00) === 0xff00) return refused("a multicast address");
  return PUBLIC;
}
