/**
 * A chunked POST of 256 MiB (no Content-Length, so only counting while reading can cap it) to a
 * real Tern process on loopback, at the inbox and at an OAuth route: answered 413 at the cap,
 * with the process's resident memory staying within 100 MB of idle, and the keep-alive client's
 * next request working (the 413 says `Connection: close`). The test generates the body as it
 * sends it; it never holds more than one 64 KiB chunk.
 */
import { once } from "node:events";
import { mkdtempSync, readFileSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import {
  freePort,
  type ProcessDatabase,
  processDatabase,
  type ServerProcess,
  startServer,
} from "../helpers/process.ts";

const TOTAL = 256 * 1024 * 1024;
const CHUNK = Buffer.alloc(64 * 1024, "x");

let db: ProcessDatabase;
let server: ServerProcess;
let port = 0;

beforeAll(async () => {
  // On the embedded database, a cluster the server creates itself (as on a first start): one
  // opened from the migrated snapshot grows its resident memory by ~300 MB over its first seconds
  // while it reads its files, which would drown what this test measures.
  db = process.env.TEST_DATABASE_URL
    ? await processDatabase()
    : { env: { DATA_DIR: mkdtempSync(join(tmpdir(), "tern-body-cap-")) }, drop: async () => {} };
  port = await freePort();
  server = await startServer({
    ...db.env,
    PORT: String(port),
    PUBLIC_URL: `http://localhost:${port}`,
    LOG_LEVEL: "warning",
  });
}, 60_000);
afterAll(async () => {
  await server?.kill("SIGKILL");
  await db?.drop();
});

/** Resident memory of the server process, in bytes (Linux). */
const rss = () =>
  Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${server.child.pid}/status`, "utf8"))![1]) *
  1024;

/** A body of `TOTAL` bytes made as it is read, 64 KiB at a time; counts what was pulled. */
function hugeBody() {
  const counter = { sent: 0 };
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (counter.sent >= TOTAL) return controller.close();
      counter.sent += CHUNK.length;
      controller.enqueue(CHUNK);
    },
  });
  return { stream, counter };
}

it.each([
  ["/inbox", "application/activity+json"],
  ["/users/alice/inbox", "application/activity+json"],
  ["/oauth/token", "application/x-www-form-urlencoded"],
])(
  "refuses a chunked 256 MiB POST to %s with 413 in bounded memory",
  async (path, type) => {
    // fetch's global dispatcher keeps connections alive, as a peer's delivery pool does.
    const base = `http://127.0.0.1:${port}`;
    const get = async () => (await fetch(`${base}/api/v1/instance`)).status;
    // Warm the connection and the process, then take the idle figure.
    for (let i = 0; i < 3; i++) expect(await get()).toBe(200);
    const idle = rss();
    let peak = idle;
    const sampler = setInterval(() => (peak = Math.max(peak, rss())), 10);
    const { stream, counter } = hugeBody();
    const res = await fetch(`${base}${path}`, {
      method: "POST",
      headers: { "content-type": type },
      body: stream,
      duplex: "half",
    } as RequestInit).finally(() => clearInterval(sampler));
    const connection = res.headers.get("connection");
    await res.text();
    peak = Math.max(peak, rss());
    const mib = (n: number) => (n / 2 ** 20).toFixed(1);
    console.info(
      `${path}: ${res.status} after ${mib(counter.sent)} MiB sent; RSS idle ${mib(idle)} MiB, peak ${mib(peak)} MiB`,
    );
    expect(res.status).toBe(413);
    expect(connection).toBe("close");
    expect(peak - idle).toBeLessThan(100 * 1024 * 1024);
    // The same client, with its pool of kept-alive connections, goes on working.
    expect(await get()).toBe(200);
  },
  60_000,
);

it("refuses a raw client that sends all 256 MiB whatever the answer, in bounded memory", async () => {
  const idle = rss();
  let peak = idle;
  const sampler = setInterval(() => (peak = Math.max(peak, rss())), 10);
  const socket = connect(port, "127.0.0.1");
  let answer = "";
  socket.on("data", (d) => (answer += d));
  const closed = new Promise<void>((ok) => socket.on("close", () => ok()));
  socket.on("error", () => {}); // writes after the server's close fail: expected
  socket.write(
    "POST /inbox HTTP/1.1\r\nhost: localhost\r\ncontent-type: application/activity+json\r\ntransfer-encoding: chunked\r\n\r\n",
  );
  const frame = Buffer.concat([
    Buffer.from(`${CHUNK.length.toString(16)}\r\n`),
    CHUNK,
    Buffer.from("\r\n"),
  ]);
  let sent = 0;
  while (sent < TOTAL && !socket.destroyed) {
    sent += CHUNK.length;
    // once() rejects on the socket's error (EPIPE once the server has closed): that ends it too.
    if (!socket.write(frame)) await Promise.race([once(socket, "drain").catch(() => {}), closed]);
  }
  if (!socket.destroyed) socket.end("0\r\n\r\n");
  await closed.finally(() => clearInterval(sampler));
  console.info(
    `raw: ${(sent / 2 ** 20).toFixed(1)} MiB written; RSS idle ${(idle / 2 ** 20).toFixed(1)} MiB, peak ${(peak / 2 ** 20).toFixed(1)} MiB`,
  );
  expect(answer).toMatch(/^HTTP\/1\.1 413 /);
  expect(answer.toLowerCase()).toContain("connection: close");
  expect(peak - idle).toBeLessThan(100 * 1024 * 1024);
}, 60_000);
