import http from "node:http";
import { parentPort, workerData } from "node:worker_threads";

/**
 * Load generator for bench/inbox.ts: POSTs the pre-signed requests, `concurrency` at a time, over
 * node:http keep-alive connections (fetch's own CPU, in this process, counted against Tern).
 */
const { inbox, signed, concurrency } = workerData as {
  inbox: string;
  signed: { headers: [string, string][]; body: string }[];
  concurrency: number;
};
const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });

function post(headers: [string, string][], body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request(inbox, {
      method: "POST",
      agent,
      headers: Object.fromEntries(headers),
    });
    req.on("response", (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode ?? 0));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end(body);
  });
}

const statuses: Record<number, number> = {};
let next = 0;
const started = performance.now();
await Promise.all(
  Array.from({ length: concurrency }, async () => {
    while (next < signed.length) {
      const { headers, body } = signed[next++];
      const status = await post(headers, body);
      statuses[status] = (statuses[status] ?? 0) + 1;
    }
  }),
);
parentPort!.postMessage({ seconds: (performance.now() - started) / 1000, statuses });
