import { BlockList, isIP } from "node:net";
import { getConnInfo } from "@hono/node-server/conninfo";
import type { Context } from "hono";

/**
 * The client's address: the socket's, unless the socket is a trusted proxy, in which case
 * `X-Forwarded-For` is read from the right, skipping our own proxies; the first address that is
 * not one of them is the client. A client outside can put anything in the header, but only the
 * entries our proxies appended are believed, so it cannot choose its address.
 */
export function clientIpResolver(trustedProxies: string[]): (c: Context) => string {
  const trusted = new BlockList();
  for (const cidr of trustedProxies) {
    const [address, bits] = cidr.split("/");
    const family = isIP(address) === 6 ? "ipv6" : "ipv4";
    const prefix = bits === undefined ? (family === "ipv6" ? 128 : 32) : Number(bits);
    trusted.addSubnet(address, prefix, family);
  }
  const isTrusted = (ip: string) => trusted.check(ip, isIP(ip) === 6 ? "ipv6" : "ipv4");
  return (c) => {
    let ip = socketAddress(c);
    if (!isTrusted(ip)) return ip;
    const forwarded = (c.req.header("x-forwarded-for") ?? "").split(",").map(normalize);
    for (let i = forwarded.length - 1; i >= 0; i--) {
      const hop = forwarded[i];
      // Garbage in the header ends the chain: nothing left of it can be believed.
      if (!isIP(hop)) break;
      ip = hop;
      if (!isTrusted(hop)) break;
    }
    return ip;
  };
}

/**
 * The socket's remote address. `app.request()` in tests and other in-process callers have no
 * socket: they count as loopback, a trusted proxy by default.
 */
function socketAddress(c: Context): string {
  try {
    const address = getConnInfo(c).remote.address;
    if (address && isIP(normalize(address))) return normalize(address);
  } catch {
    // no Node socket behind this request
  }
  return "127.0.0.1";
}

/** `::ffff:10.0.0.1` (IPv4 on a dual-stack socket) is 10.0.0.1; spaces and brackets go. */
function normalize(address: string): string {
  const a = address.trim().replace(/^\[(.*)\]$/, "$1");
  return /^::ffff:\d+\.\d+\.\d+\.\d+$/i.test(a) ? a.slice(7) : a;
}

/**
 * What limits count per address: an IPv4 address, or an IPv6 /64 (one subscriber usually holds a
 * whole /64, so counting single IPv6 addresses would let one client rotate through billions).
 */
export function ipBucket(ip: string): string {
  if (isIP(ip) !== 6) return ip;
  const [head, tail = ""] = ip.toLowerCase().split("::");
  const left = head === "" ? [] : head.split(":");
  const right = tail === "" ? [] : tail.split(":");
  const groups = ip.includes("::")
    ? [...left, ...Array(8 - left.length - right.length).fill("0"), ...right]
    : left;
  return `${groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, ""))
    .join(":")}::/64`;
}
