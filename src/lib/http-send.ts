import http from "node:http";
import https from "node:https";

/**
 * A request whose body cannot be replayed (a delivery: Fedify's signed POST) sent with Node's own
 * HTTP client and answered as a fetch `Response`. WHATWG fetch spent about 0.5 ms of CPU per
 * delivery on its Request, stream and Response machinery; this costs about 0.3 ms with the same
 * Request in and a Response out, which over a 1,000-inbox fan-out is one core-fifth of a second.
 * Redirects are not followed (the caller asks for "manual" and follows them itself).
 */

/** Sockets to a host are kept this long between deliveries (undici keeps them 4 s too). */
const IDLE_SOCKET_MS = 4_000;
/** An answer to a delivery is a status line and a short text; more than this is dropped unread. */
const MAX_RESPONSE_BYTES = 1 << 20;

const agents = {
  "http:": new http.Agent({ keepAlive: true, timeout: IDLE_SOCKET_MS }),
  "https:": new https.Agent({ keepAlive: true, timeout: IDLE_SOCKET_MS }),
};

/** Statuses whose response has no body (a Response refuses one). */
const NULL_BODY = new Set([101, 103, 204, 205, 304]);

export async function sendOverHttp(
  request: Request,
  headers: Headers,
  signal: AbortSignal,
): Promise<Response> {
  const url = new URL(request.url);
  const https_ = url.protocol === "https:";
  const body = request.body ? Buffer.from(await request.arrayBuffer()) : undefined;
  const outgoing: Record<string, string> = {};
  headers.forEach((value, name) => {
    outgoing[name] = value;
  });
  // Node sends a DELETE's body (and others') without a length unless told: say it always.
  if (body) outgoing["content-length"] = String(body.length);
  return new Promise<Response>((resolve, reject) => {
    // Errors look like fetch's own: the signal's reason once it fired (a TimeoutError at the
    // deadline), else a TypeError with the cause, which callers classify.
    const fail = (error: unknown) =>
      reject(signal.aborted ? signal.reason : new TypeError("fetch failed", { cause: error }));
    const options = {
      method: request.method,
      headers: outgoing,
      agent: https_ ? agents["https:"] : agents["http:"],
      signal,
    };
    const req = (https_ ? https : http).request(url, options, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      const answer = () => {
        const status = res.statusCode ?? 0;
        const responseHeaders = new Headers();
        for (let i = 0; i < res.rawHeaders.length; i += 2) {
          responseHeaders.append(res.rawHeaders[i], res.rawHeaders[i + 1]);
        }
        try {
          resolve(
            new Response(NULL_BODY.has(status) ? null : Buffer.concat(chunks), {
              status,
              statusText: res.statusMessage,
              headers: responseHeaders,
            }),
          );
        } catch (error) {
          // A status outside 200-599, or a header a Response refuses.
          fail(error);
        }
      };
      res.on("data", (chunk: Buffer) => {
        size += chunk.length;
        if (size <= MAX_RESPONSE_BYTES) return void chunks.push(chunk);
        // Whatever a peer sends beyond the cap is not ours to hold: answer with what came.
        res.removeAllListeners("data");
        res.destroy();
        answer();
      });
      res.on("end", answer);
      res.on("error", fail);
    });
    req.on("error", fail);
    req.end(body);
  });
}
