// IP addresses and host names the outbound HTTP client refuses: loopback, private, link-local,
// metadata services and the rest, however the address is written (decimal, hex, octal, short IPv4
// forms, IPv4 inside IPv6). Pure functions, used by lib/http-guard.ts.
import net from "node:net";

const METADATA = "a cloud metadata address";
const PRIVATE = "a private address";

/** IPv4 ranges refused, most specific first: [base, prefix length, reason]. */
const V4_RULES: ReadonlyArray<readonly [string, number, string]> = [
  ["169.254.169.254", 32, METADATA], // AWS, GCP, Azure, Oracle, DigitalOcean...
  ["169.254.170.2", 32, METADATA], // AWS ECS task metadata
  ["168.63.129.16", 32, METADATA], // Azure WireServer
  ["169.254.0.0", 16, METADATA], // link-local: EKS Pod Identity and other agents live here
  ["100.100.100.200", 32, METADATA], // Alibaba Cloud
  ["0.0.0.0", 32, "the unspecified address"],
  ["0.0.0.0", 8, 'a "this network" address'],
  ["127.0.0.0", 8, "a loopback address"],
  ["10.0.0.0", 8, PRIVATE],
  ["172.16.0.0", 12, PRIVATE],
  ["192.168.0.0", 16, PRIVATE],
  ["100.64.0.0", 10, "a shared (CGNAT) address"],
  ["169.254.0.0", 16, "a link-local address"],
  ["192.0.0.0", 24, "an IETF protocol address"],
  ["198.18.0.0", 15, "a benchmarking address"],
  ["224.0.0.0", 4, "a multicast address"],
  ["255.255.255.255", 32, "the broadcast address"],
  ["240.0.0.0", 4, "a reserved address"],
];

/** Host names of metadata services, refused before any DNS look-up. */
export const METADATA_NAMES = new Set(["metadata.google.internal", "metadata.goog", "metadata", "instance-data", "instance-data.ec2.internal"]);

/** Dotted-decimal IPv4 (the form WHATWG URLs and DNS give) to a 32-bit number. */
function parseIPv4(s: string): number | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s);
  if (!m) return undefined;
  const parts = m.slice(1).map(Number);
  if (parts.some((p) => p > 255)) return undefined;
  return ((parts[0]! << 24) | (parts[1]! << 16) | (parts[2]! << 8) | parts[3]!) >>> 0;
}

function formatIPv4(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join(".");
}

/** Any textual IPv6 (zone ids and a dotted IPv4 tail allowed) to 16 bytes. */
function parseIPv6(input: string): Uint8Array | undefined {
  let s = input.toLowerCase();
  const zone = s.indexOf("%");
  if (zone >= 0) s = s.slice(0, zone);
  const last = s.lastIndexOf(":");
  if (last < 0) return undefined;
  if (s.slice(last + 1).includes(".")) {
    const v4 = parseIPv4(s.slice(last + 1));
    if (v4 === undefined) return undefined;
    s = `${s.slice(0, last + 1)}${(v4 >>> 16).toString(16)}:${(v4 & 0xffff).toString(16)}`;
  }
  const halves = s.split("::");
  if (halves.length > 2) return undefined;
  const groups = (p: string) => (p === "" ? [] : p.split(":").map((g) => (/^[0-9a-f]{1,4}$/.test(g) ? parseInt(g, 16) : NaN)));
  const head = groups(halves[0]!);
  const tail = halves.length === 2 ? groups(halves[1]!) : [];
  if ([...head, ...tail].some(Number.isNaN)) return undefined;
  let all: number[];
  if (halves.length === 2) {
    const fill = 8 - head.length - tail.length;
    if (fill < 1) return undefined;
    all = [...head, ...new Array<number>(fill).fill(0), ...tail];
  } else {
    if (head.length !== 8) return undefined;
    all = head;
  }
  const bytes = new Uint8Array(16);
  all.forEach((g, i) => {
    bytes[2 * i] = g >> 8;
    bytes[2 * i + 1] = g & 255;
  });
  return bytes;
}

function v6Prefix(bytes: Uint8Array, prefix: string, bits: number): boolean {
  const p = parseIPv6(prefix)!;
  for (let i = 0; i < bits; i++) {
    const mask = 0x80 >> i % 8;
    if ((bytes[i >> 3]! & mask) !== (p[i >> 3]! & mask)) return false;
  }
  return true;
}

function v4At(bytes: Uint8Array, at: number): number {
  return ((bytes[at]! << 24) | (bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!) >>> 0;
}

export interface AddressVerdict {
  /** "a loopback address", "a cloud metadata address", ... */
  reason: string;
  metadata: boolean;
}

function v4Verdict(n: number): AddressVerdict | undefined {
  for (const [base, bits, reason] of V4_RULES) {
    const mask = bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0;
    if (((n & mask) >>> 0) === ((parseIPv4(base)! & mask) >>> 0)) return { reason, metadata: reason === METADATA };
  }
  return undefined;
}

function embedded(kind: string, v4: number): AddressVerdict | undefined {
  const inner = v4Verdict(v4);
  return inner && { reason: `${kind} of ${formatIPv4(v4)}, ${inner.reason}`, metadata: inner.metadata };
}

/**
 * Why an IP address may not be reached, or undefined when it may. Takes any IPv4 dotted-decimal or
 * IPv6 text; anything else is refused as "not an IP address".
 */
export function addressVerdict(ip: string): AddressVerdict | undefined {
  const v4 = parseIPv4(ip);
  if (v4 !== undefined) return v4Verdict(v4);
  const b = parseIPv6(ip);
  if (!b) return { reason: "not an IP address", metadata: false };
  const zeroUpTo = (n: number) => b.slice(0, n).every((x) => x === 0);
  if (zeroUpTo(16)) return { reason: "the unspecified address", metadata: false };
  if (zeroUpTo(15) && b[15] === 1) return { reason: "a loopback address", metadata: false };
  if (v6Prefix(b, "fd00:ec2::254", 128)) return { reason: METADATA, metadata: true };
  if (v6Prefix(b, "::ffff:0:0", 96)) return embedded("an IPv4-mapped form", v4At(b, 12));
  if (v6Prefix(b, "::ffff:0:0:0", 96)) return embedded("an IPv4-translated form", v4At(b, 12));
  if (zeroUpTo(12)) return embedded("an IPv4-compatible form", v4At(b, 12)) ?? { reason: "an IPv4-compatible address", metadata: false };
  if (v6Prefix(b, "64:ff9b::", 96)) return embedded("a NAT64 form", v4At(b, 12));
  if (v6Prefix(b, "64:ff9b:1::", 48)) return { reason: "a local-use NAT64 address", metadata: false };
  if (v6Prefix(b, "2002::", 16)) return embedded("a 6to4 form", v4At(b, 2));
  if (v6Prefix(b, "2001::", 32)) return { reason: "a Teredo tunnel address", metadata: false };
  if (v6Prefix(b, "100::", 64)) return { reason: "a discard-only address", metadata: false };
  if (v6Prefix(b, "fc00::", 7)) return { reason: "a private (unique local) address", metadata: false };
  if (v6Prefix(b, "fe80::", 10)) return { reason: "a link-local address", metadata: false };
  if (v6Prefix(b, "fec0::", 10)) return { reason: "a site-local address", metadata: false };
  if (v6Prefix(b, "ff00::", 8)) return { reason: "a multicast address", metadata: false };
  return undefined;
}

/** A host the way the guard compares them: WHATWG-normalised, lower case, no brackets, no final dot. */
export function canonicalHost(host: string): string {
  let h = host.trim().toLowerCase();
  if (h.startsWith("[") && h.endsWith("]")) h = h.slice(1, -1);
  h = h.replace(/\.$/, "");
  try {
    const parsed = new URL(`http://${net.isIPv6(h) ? `[${h}]` : h}/`).hostname;
    h = parsed.startsWith("[") ? parsed.slice(1, -1) : parsed;
  } catch {
    // Not a valid host: compared as typed, so it simply never matches.
  }
  return h.replace(/\.$/, "");
}
