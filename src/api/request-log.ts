import { randomUUID } from "node:crypto";
import { withContext } from "@logtape/logtape";
import type { Context, MiddlewareHandler } from "hono";
import { logger } from "../lib/logger.ts";
import { clientIpResolver } from "./client-ip.ts";

const log = logger("http", "request");

/** What the first middleware learnt about a request, for the limits and handlers after it. */
interface RequestInfo {
  id: string;
  ip: string;
}

// Keyed by the request object, so routers of any Hono env type can read it.
const infos = new WeakMap<Request, RequestInfo>();

/** A request id a client or proxy sent is kept if it is short and plain; else a fresh one. */
const SANE_REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;
const MAX_LOGGED_PATH = 300;

/**
 * The first middleware: gives each request an id (`X-Request-Id`, in and out, and on every log
 * line written while it runs), resolves the client address once, and logs one line per request
 * when it is answered. The line holds the path without the query string (codes and tokens can
 * travel there), never headers or bodies.
 */
export function requestLog(opts: { trustedProxies: string[] }): MiddlewareHandler {
  const resolveIp = clientIpResolver(opts.trustedProxies);
  return async (c, next) => {
    const started = performance.now();
    const incoming = c.req.header("x-request-id");
    const id = incoming && SANE_REQUEST_ID.test(incoming) ? incoming : randomUUID();
    const ip = resolveIp(c);
    infos.set(c.req.raw, { id, ip });
    await withContext({ requestId: id }, next);
    setHeader(c, "X-Request-Id", id);
    const status = c.res.status;
    const props = {
      method: c.req.method,
      // A flood of 8 kB paths should not become a flood of 8 kB log lines.
      path:
        c.req.path.length > MAX_LOGGED_PATH
          ? `${c.req.path.slice(0, MAX_LOGGED_PATH)}…`
          : c.req.path,
      status,
      durationMs: Math.round((performance.now() - started) * 10) / 10,
      requestId: id,
      ip,
    };
    const line = "{method} {path} {status} {durationMs}ms {ip} id={requestId}";
    if (status >= 500) log.error(line, props);
    else log.info(line, props);
  };
}

/** The client address of a request (see client-ip.ts); loopback when the middleware did not run. */
export function clientIp(c: Context): string {
  return infos.get(c.req.raw)?.ip ?? "127.0.0.1";
}

/** Some responses (Fedify's, fetched ones) have immutable headers: copy them then. */
function setHeader(c: Context, name: string, value: string): void {
  try {
    c.res.headers.set(name, value);
  } catch {
    c.res = new Response(c.res.body, c.res);
    c.res.headers.set(name, value);
  }
}
