import { parentPort, workerData } from "node:worker_threads";

/** Load generator for bench/inbox.ts: POSTs the pre-signed requests, `concurrency` at a time. */
const { inbox, signed, concurrency } = workerData as {
  inbox: string;
  signed: { headers: [string, string][]; body: string }[];
  concurrency: number;
};
const statuses: Record<number, number> = {};
let next = 0;
const started = performance.now();
await Promise.all(
  Array.from({ length: concurrency }, async () => {
    while (next < signed.length) {
      const { headers, body } = signed[next++];
      const res = await fetch(inbox, { method: "POST", headers, body });
      await res.arrayBuffer();
      statuses[res.status] = (statuses[res.status] ?? 0) + 1;
    }
  }),
);
parentPort!.postMessage({ seconds: (performance.now() - started) / 1000, statuses });
