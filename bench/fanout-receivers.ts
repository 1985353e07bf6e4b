import { createServer } from "node:http";
import { parentPort, workerData } from "node:worker_threads";

/**
 * Loopback receivers for bench/fanout.ts: one HTTP server on every 127.x address, so each of the
 * shared inboxes (http://127.0.a.b:port/inbox) is a host of its own to Fedify. Answers 202 and
 * tells the bench when the first and the last of `expect` deliveries arrived (ms since epoch).
 */
const { expect } = workerData as { expect: number };
let seen = 0;
let first = 0;
const hosts = new Set<string>();
const server = createServer((req, res) => {
  req.resume();
  req.on("end", () => {
    res.writeHead(202).end();
    if (req.method !== "POST") return;
    hosts.add(req.headers.host ?? "");
    if (seen++ === 0) first = Date.now();
    if (seen === expect) parentPort!.postMessage({ first, last: Date.now(), hosts: hosts.size });
  });
});
server.keepAliveTimeout = 30_000;
server.listen(0, "0.0.0.0", () => {
  const address = server.address();
  parentPort!.postMessage({ port: typeof address === "object" && address ? address.port : 0 });
});
parentPort!.on("message", (m) => {
  if (m === "reset") {
    seen = 0;
    hosts.clear();
  }
});
