import type { Context, Next } from "hono";
import { readAtMost } from "../lib/body.ts";

/** Bodies larger than this are left to the routers' own size checks (they answer 413). */
const MAX_CHECKED_BYTES = 1024 * 1024;

function hasNul(text: string): boolean {
  return text.includes("\u0000") || /\\u0000|%00/i.test(text);
}

/**
 * PostgreSQL text cannot hold a NUL character, so a NUL anywhere in a client's input would fail
 * deep in a query. No legitimate Mastodon client sends one: such requests are refused up front,
 * in the query string or in a JSON or form body, with a 400 that says why.
 */
export function nulGuard() {
  return async (c: Context, next: Next) => {
    const refuse = () => c.json({ error: "Request contains a NUL character" }, 400);
    if (hasNul(new URL(c.req.url).search)) return refuse();
    if (c.req.raw.body && Number(c.req.header("content-length") ?? "0") <= MAX_CHECKED_BYTES) {
      const bytes = await readAtMost(c.req.raw.clone().body, MAX_CHECKED_BYTES);
      if (bytes !== null && hasNul(Buffer.from(bytes).toString("utf8"))) return refuse();
    }
    return next();
  };
}
