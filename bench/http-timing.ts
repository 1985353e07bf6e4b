/**
 * Keep-alive HTTP timing for the page benches: one GET, and many with req/s, p50 and p99.
 * node:http with a keep-alive agent rather than fetch: the client shares the machine with what
 * it measures, and undici's WHATWG layers cost several times node:http's CPU per request.
 */
import { readdirSync, readFileSync } from "node:fs";
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

/** CPU seconds a process has used so far (Linux: utime + stime in clock ticks). */
export function cpuSecondsOf(pid: number | undefined): number {
  if (!pid) return 0;
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0; // gone
  }
}

/** CPU seconds every PostgreSQL process on this machine has used so far (its backends too). */
export function postgresCpuSeconds(): number {
  let total = 0;
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, "utf8").trim() === "postgres")
        total += cpuSecondsOf(Number(entry));
    } catch {} // gone meanwhile
  }
  return total;
}
