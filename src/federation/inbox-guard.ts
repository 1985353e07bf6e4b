import type { Context, Next } from "hono";
import type { Config } from "../config/index.ts";
import { CLOSE_CONNECTION, readBodyAtMost } from "../lib/body.ts";
import { jsonShapeProblem } from "../lib/json-shape.ts";
import { logger } from "../lib/logger.ts";
import { signatureProblem } from "./inbox-signatures.ts";
import type { InboxHostHooks } from "./inbox-throttle.ts";
import { claimsProblem, rawClaims } from "./origin-rules.ts";

const log = logger("federation", "inbox-guard");

/** Activities larger than this are refused before anything parses them. */
export const MAX_ACTIVITY_BYTES = 512 * 1024;
/**
 * JSON-LD expansion recurses per level and per item: 100k nested arrays overflow its stack, and
 * Fedify parses the activity on the web path at roughly 0.3 ms per array item (10k tags: seconds).
 * The deepest real activity seen (Hollo's Accept, with both actor documents inlined) nests 8
 * levels; the longest array in the captures has 16 items, and a post's `tag` or `cc` lists name
 * each mentioned account, which real posts keep far under 500.
 */
export const MAX_ACTIVITY_DEPTH = 32;
export const MAX_ACTIVITY_ARRAY_ITEMS = 500;
const INBOX_PATH = /^\/(inbox|users\/[^/]+\/inbox)\/?$/;

/**
 * Cheap checks on inbox POSTs before Fedify verifies the signature, all on the web path: a size
 * cap counted while the body streams in, what the HTTP signature must cover, JSON that later
 * steps can store and parse, and the origins of the activity's id, actor and object (checked
 * again on what Fedify parses, in inbox/origins.ts). Fedify then checks that the signing key
 * belongs to the actor, so id, actor and key share one origin.
 */
export function inboxGuard(
  config: Pick<Config, "host" | "publicUrl">,
  policy?: { refuses(host: string): Promise<boolean> },
  hostHooks: InboxHostHooks = {},
) {
  const blocked = (c: Context, host: string) => {
    log.info("Refused inbox POST from blocked {host}", { host });
    return c.json({ error: "Domain is blocked" }, 403, CLOSE_CONNECTION);
  };
  return async (c: Context, next: Next) => {
    if (c.req.method !== "POST" || !INBOX_PATH.test(c.req.path)) return next();
    // A suspended (or, in allowlist mode, unlisted) domain is refused before its body is read or
    // its key fetched: the signing key's host is in the headers.
    const keyHost = signingKeyHost(c.req.raw.headers);
    if (policy && keyHost && (await policy.refuses(keyHost))) return blocked(c, keyHost);
    // Per-host throttling (inbox-throttle.ts), before the body is read: a 429 a peer retries.
    const wait = keyHost && hostHooks.throttled ? await hostHooks.throttled(keyHost) : null;
    if (wait !== null) {
      log.info("Throttled inbox POSTs from {host}", { host: keyHost });
      return c.json({ error: "Too many requests from your server" }, 429, {
        ...CLOSE_CONNECTION,
        "Retry-After": String(wait),
      });
    }
    const tooLarge = () => c.json({ error: "Activity is too large" }, 413, CLOSE_CONNECTION);
    const declared = Number(c.req.header("content-length") ?? "0");
    if (declared > MAX_ACTIVITY_BYTES) return tooLarge();
    const bytes = await readBodyAtMost(c.req.raw, c.env, MAX_ACTIVITY_BYTES);
    if (bytes === null) return tooLarge();
    // The body is read once, here; Fedify gets the same bytes (and verifies their digest). It
    // also gets the URL the sender addressed, PUBLIC_URL's: behind a TLS proxy the request
    // arrives as http://, and an RFC 9421 @target-uri signed as https:// would never verify.
    // (The host it arrived for is checked against PUBLIC_URL's below.)
    const original = c.req.raw;
    const url = new URL(original.url);
    c.req.raw = new Request(`${config.publicUrl}${url.pathname}${url.search}`, {
      method: "POST",
      headers: original.headers,
      body: bytes,
      signal: original.signal,
    });
    const refuse = (status: 400 | 401, error: string) => {
      log.info("Refused inbox POST to {path}: {error}", { path: c.req.path, error });
      return c.json({ error }, status);
    };
    const hosts = [url.host, original.headers.get("host")].filter((h): h is string => !!h);
    const unsigned = signatureProblem(original.headers, hosts, config.host);
    if (unsigned) return refuse(401, unsigned);
    const text = new TextDecoder().decode(bytes);
    const shape = jsonShapeProblem(text, {
      maxDepth: MAX_ACTIVITY_DEPTH,
      maxArrayItems: MAX_ACTIVITY_ARRAY_ITEMS,
    });
    if (shape) return refuse(400, shape);
    let activity: unknown;
    try {
      activity = JSON.parse(text);
    } catch {
      return refuse(400, "Body is not valid JSON");
    }
    if (!activity || typeof activity !== "object" || Array.isArray(activity))
      return refuse(400, "Activity must be a JSON object");
    const claims = rawClaims(activity as Record<string, unknown>);
    const problem = typeof claims === "string" ? claims : claimsProblem(claims, config.publicUrl);
    if (problem) return refuse(400, problem);
    if (policy && typeof claims !== "string") {
      for (const actor of claims.actors) {
        const host = URL.canParse(actor) ? new URL(actor).host : null;
        if (host && (await policy.refuses(host))) return blocked(c, host);
      }
    }
    await next();
    // Fedify answers 202 only to a verified activity: its server is up, whatever our deliveries
    // to it said (as Mastodon resets a host's delivery failures on an inbound activity).
    if (c.res.status === 202 && keyHost && hostHooks.heardFrom)
      await hostHooks.heardFrom(keyHost).catch(() => {});
  };
}

/** The host of the key an HTTP signature (draft-cavage or RFC 9421) names, if any. */
export function signingKeyHost(headers: Headers): string | null {
  const text = `${headers.get("signature") ?? ""} ${headers.get("signature-input") ?? ""}`;
  const keyId = /keyid="([^"]+)"/i.exec(text)?.[1];
  return keyId && URL.canParse(keyId) ? new URL(keyId).host : null;
}
