import type { Context, MiddlewareHandler } from "hono";
import { createMiddleware } from "hono/factory";
import type { Limit } from "../../../config/index.ts";
import type { AppDeps } from "../../../deps.ts";
import { AppError } from "../../../lib/errors.ts";
import { type Counted, hit, isOver, remaining } from "../../../services/rate-limits.ts";
import { ipBucket } from "../../client-ip.ts";
import { clientIp } from "../../request-log.ts";
import type { ApiEnv } from "../env.ts";

const MEDIA_UPLOAD = /^\/api\/v\d+\/media$/;

/**
 * Mastodon's API limits (its `config/initializers/rack_attack.rb`): every request per token, or
 * per client address without one; app registration and sign-up per address; media uploads per
 * account. All counters of a request are counted in one database statement, so every web
 * process shares them. Runs after `authenticate`, which says whose token it is; without it (the
 * OAuth token endpoints) a request counts as anonymous, per address.
 */
export function rateLimit(deps: AppDeps): MiddlewareHandler<ApiEnv> {
  const limits = deps.config.rateLimits;
  return createMiddleware<ApiEnv>(async (c, next) => {
    const auth = c.get("auth");
    const ip = ipBucket(clientIp(c));
    const post = c.req.method === "POST";
    const path = c.req.path;
    const checks: { key: string; limit: Limit }[] = [];
    const add = (limit: Limit | null, key: string) => limit && checks.push({ key, limit });
    add(limits.api, auth ? `api:token:${auth.tokenId}` : `api:ip:${ip}`);
    if (post && path === "/api/v1/apps") add(limits.apps, `apps:ip:${ip}`);
    if (post && path === "/api/v1/accounts") add(limits.signUp, `sign-up:ip:${ip}`);
    if (post && MEDIA_UPLOAD.test(path) && auth?.account) {
      add(limits.media, `media:account:${auth.account.id}`);
    }
    if (checks.length === 0) return next();
    const counted = await hit(deps.db, checks);
    const refused = counted.find(isOver);
    // Like Mastodon, the headers tell about the limit closest to refusing.
    setRateLimitHeaders(
      c,
      refused ?? counted.reduce((a, b) => (remaining(b) < remaining(a) ? b : a)),
    );
    if (refused) throw tooManyRequests(c, refused);
    return next();
  });
}

/** `X-RateLimit-*` as Mastodon sends them: the limit, what is left, and the reset in ISO 8601. */
export function setRateLimitHeaders(c: Context, counted: Counted): void {
  c.header("X-RateLimit-Limit", String(counted.limit.max));
  c.header("X-RateLimit-Remaining", String(remaining(counted)));
  c.header("X-RateLimit-Reset", counted.resetAt.toISOString());
}

/** The 429 of an exceeded limit, with `Retry-After` in seconds (RFC 9110 §10.2.3). */
export function tooManyRequests(c: Context, counted: Counted): AppError {
  c.header("Retry-After", String(counted.retryAfter));
  return new AppError(429, "Too many requests");
}
