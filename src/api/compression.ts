import { promisify } from "node:util";
import { brotliCompress, constants, gzip } from "node:zlib";
import type { MiddlewareHandler } from "hono";

const brotli = promisify(brotliCompress);
const gzipAsync = promisify(gzip);

/**
 * What is worth compressing: JSON of every flavour (API, ActivityPub, JRD), HTML, XML and plain
 * text. Never `text/event-stream`: a compressor holds back events until its buffer fills.
 */
const COMPRESSIBLE =
  /^(?:application\/(?:[\w.+-]*\+)?(?:json|xml)|text\/(?:html|plain|xml|css|javascript))\b/i;

export interface CompressionOptions {
  /** Bodies smaller than this go out as they are (compression would not pay for its header). */
  thresholdBytes?: number;
}

/**
 * gzip or Brotli for answers the client accepts it for. Hono's own `compress` has no Brotli and
 * compresses any body of unknown length however small (ours carry no Content-Length), so this
 * reads the body (our answers are built whole anyway), leaves small ones alone, and sets `Vary`.
 */
export function compression(opts: CompressionOptions = {}): MiddlewareHandler {
  const threshold = opts.thresholdBytes ?? 1024;
  return async (c, next) => {
    await next();
    const res = c.res;
    const type = res.headers.get("content-type") ?? "";
    if (!res.body || !COMPRESSIBLE.test(type) || c.req.method === "HEAD") return;
    if (res.status === 204 || res.status === 206 || res.status === 304) return;
    if (res.headers.has("content-encoding")) return;
    if (/(?:^|,)\s*no-transform\s*(?:,|$)/i.test(res.headers.get("cache-control") ?? "")) return;
    const vary = res.headers.get("vary");
    if (!vary) res.headers.set("vary", "Accept-Encoding");
    else if (!/accept-encoding|\*/i.test(vary)) res.headers.set("vary", `${vary}, Accept-Encoding`);
    const encoding = chooseEncoding(c.req.header("accept-encoding"));
    if (!encoding) return;
    const length = Number(res.headers.get("content-length") ?? Number.NaN);
    if (length < threshold) return;
    const body = Buffer.from(await res.arrayBuffer());
    const headers = new Headers(res.headers);
    const init = { status: res.status, statusText: res.statusText, headers };
    if (body.length < threshold) {
      c.res = new Response(body, init);
      return;
    }
    const packed =
      encoding === "br"
        ? // Quality 4 is about gzip's speed with smaller output; the default 11 is far slower.
          await brotli(body, {
            params: {
              [constants.BROTLI_PARAM_QUALITY]: 4,
              [constants.BROTLI_PARAM_SIZE_HINT]: body.length,
            },
          })
        : await gzipAsync(body);
    headers.set("content-encoding", encoding);
    headers.set("content-length", String(packed.length));
    const etag = headers.get("etag");
    if (etag && !etag.startsWith("W/")) headers.set("etag", `W/${etag}`);
    // Replacing c.res merges the old headers back in: start from a clean slate.
    c.res = undefined;
    c.res = new Response(packed, init);
  };
}

/** Brotli when accepted, else gzip; none when the client names neither (or `identity` only). */
export function chooseEncoding(header: string | undefined): "br" | "gzip" | undefined {
  if (!header) return undefined;
  const q = new Map<string, number>();
  for (const part of header.split(",")) {
    const [name, ...params] = part.trim().toLowerCase().split(";");
    const qParam = params.map((p) => p.trim()).find((p) => p.startsWith("q="));
    const value = qParam ? Number(qParam.slice(2)) : 1;
    if (name) q.set(name, Number.isFinite(value) ? value : 0);
  }
  const of = (name: string) => q.get(name) ?? q.get("*") ?? 0;
  if (of("br") > 0 && of("br") >= of("gzip")) return "br";
  if (of("gzip") > 0) return "gzip";
  return undefined;
}
