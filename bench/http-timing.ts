/**
 * Keep-alive HTTP timing for the page benches: one GET, and many with req/s, p50 and p99.
 * node:http with a keep-alive agent rather than fetch: the client shares the machine with what
 * it measures, and undici's WHATWG layers cost several times node:http's CPU per request.
 */
import http from "node:http";

const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

/** Uncompressed (as the ceiling answers): the figure is rendering, not gzip. */
export function get(url: string, headers: Record<string, string>): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const req = http.get(
      url,
      { agent, headers: { ...headers, "accept-encoding": "identity" } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("error", reject);
        res.on("end", () => {
          const body = Buffer.concat(chunks);
          if (res.statusCode === 200) resolve(body);
          else reject(new Error(`${url}: ${res.statusCode} ${body.toString()}`));
        });
      },
    );
    req.on("error", reject);
  });
}

/** `count` requests from `concurrency` keep-alive clients: req/s, p50 and p99 (ms). */
export async function timed(
  url: string,
  headers: Record<string, string>,
  count: number,
  concurrency: number,
) {
  const times: number[] = [];
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next++ < count) {
        const t = performance.now();
        await get(url, headers);
        times.push(performance.now() - t);
      }
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  times.sort((a, b) => a - b);
  const at = (p: number) => times[Math.min(times.length - 1, Math.floor(times.length * p))];
  return { rate: count / seconds, p50: at(0.5), p99: at(0.99) };
}
