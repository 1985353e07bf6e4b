import { lookup } from "node:dns/promises";
import { isIP } from "node:net";
import { AppError } from "./errors.ts";

/**
 * The one outbound address guard. Fedify's own check (2.3) lets some special-use ranges through
 * (2001:db8::/32, for one), and it only runs where Fedify fetches, not where it delivers; Tern
 * runs this on every outbound request (lib/outbound-fetch.ts) and on every inbox it stores.
 */

interface Range {
  base: bigint;
  bits: number;
  /** Judge by the IPv4 address embedded at this bit offset instead of refusing the whole range. */
  embeddedV4At?: number;
}

const v4 = (cidr: string): Range => {
  const [address, bits] = cidr.split("/");
  return { base: BigInt(parseV4(address)!), bits: Number(bits) };
};
const v6 = (cidr: string, embeddedV4At?: number): Range => {
  const [address, bits] = cidr.split("/");
  return { base: parseV6(address)!, bits: Number(bits), embeddedV4At };
};

/** IANA's IPv4 special-purpose registry, plus multicast and the reserved 240/4. */
const V4_RANGES = [
  "0.0.0.0/8",
  "10.0.0.0/8",
  "100.64.0.0/10",
  "127.0.0.0/8",
  "169.254.0.0/16",
  "172.16.0.0/12",
  "192.0.0.0/24",
  "192.0.2.0/24",
  "192.88.99.0/24",
  "192.168.0.0/16",
  "198.18.0.0/15",
  "198.51.100.0/24",
  "203.0.113.0/24",
  "224.0.0.0/4",
  "240.0.0.0/4",
  "255.255.255.255/32",
].map(v4);

const V6_RANGES = [
  // ::/96 holds :: and ::1 and the deprecated IPv4-compatible form (::7f00:1), none of them public.
  v6("::/96"),
  v6("::ffff:0:0/96", 96),
  // NAT64: a DNS64 resolver hands out 64:ff9b::/96 for every IPv4-only host, so judge the
  // embedded address rather than cut off IPv6-only servers from half the fediverse.
  v6("64:ff9b::/96", 96),
  v6("64:ff9b:1::/48"),
  v6("100::/64"),
  v6("2001::/23"),
  v6("2001:db8::/32"),
  v6("2002::/16", 16),
  v6("fc00::/7"),
  v6("fe80::/10"),
  v6("ff00::/8"),
];

function parseV4(address: string): number | null {
  if (isIP(address) !== 4) return null;
  return address.split(".").reduce((n, part) => n * 256 + Number(part), 0);
}

function parseV6(address: string): bigint | null {
  if (isIP(address) !== 6) return null;
  let text = address.toLowerCase().replace(/%.*$/, "");
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    const n = parseV4(dotted[1])!;
    text = `${text.slice(0, -dotted[1].length)}${(n >>> 16).toString(16)}:${(n & 0xffff).toString(16)}`;
  }
  const [head, tail] = text.split("::");
  const headWords = head ? head.split(":") : [];
  const tailWords = tail ? tail.split(":") : [];
  const missing = tail === undefined ? 0 : 8 - headWords.length - tailWords.length;
  const words = [...headWords, ...Array(missing).fill("0"), ...tailWords];
  return words.reduce((n, w) => (n << 16n) | BigInt(Number.parseInt(w, 16)), 0n);
}

const inRange = (value: bigint, width: number, r: Range) =>
  value >> BigInt(width - r.bits) === r.base >> BigInt(width - r.bits);

function isSpecialV4(n: number): boolean {
  return V4_RANGES.some((r) => inRange(BigInt(n), 32, r));
}

/**
 * Whether `address` (an IP literal, IPv6 with or without brackets) is loopback, private,
 * link-local, documentation, multicast or otherwise not a public unicast address. Anything that
 * is not an IP address at all counts as special: a caller must resolve names first.
 */
export function isSpecialUseAddress(address: string): boolean {
  const bare = address.replace(/^\[(.*)\]$/, "$1");
  const n4 = parseV4(bare);
  if (n4 !== null) return isSpecialV4(n4);
  const n6 = parseV6(bare);
  if (n6 === null) return true;
  for (const r of V6_RANGES) {
    if (!inRange(n6, 128, r)) continue;
    if (r.embeddedV4At === undefined) return true;
    const embedded = Number((n6 >> BigInt(128 - r.embeddedV4At - 32)) & 0xffffffffn);
    if (isSpecialV4(embedded)) return true;
  }
  return false;
}

export type LookupAll = (hostname: string) => Promise<string[]>;

const systemLookup: LookupAll = async (hostname) =>
  (await lookup(hostname, { all: true })).map((a) => a.address);

/**
 * Refuses (AppError 403) a URL that is not http(s) or whose host is, or resolves to, any
 * special-use address. Every resolved address is checked: a name with one public and one private
 * record is refused. The connection resolves the name again, so a rebinding DNS server could
 * still answer differently then; pinning the checked address would close that.
 */
export async function assertPublicUrl(
  url: string | URL,
  lookupAll: LookupAll = systemLookup,
): Promise<void> {
  const parsed = new URL(url);
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
    throw new AppError(403, `Refusing to connect to a ${parsed.protocol} URL`);
  }
  const host = parsed.hostname.replace(/^\[(.*)\]$/, "$1");
  let addresses: string[];
  if (isIP(host)) addresses = [host];
  else {
    try {
      addresses = await lookupAll(host);
    } catch (cause) {
      throw new AppError(403, `Refusing to connect to ${host}: it does not resolve`, cause);
    }
  }
  const special = addresses.find(isSpecialUseAddress);
  if (addresses.length === 0 || special !== undefined) {
    throw new AppError(
      403,
      `Refusing to connect to ${host}: ${special ?? "no address"} is not a public address`,
    );
  }
}

/** The same check as a yes/no answer. */
export async function isPublicUrl(url: string | URL, lookupAll?: LookupAll): Promise<boolean> {
  try {
    await assertPublicUrl(url, lookupAll);
    return true;
  } catch {
    return false;
  }
}
