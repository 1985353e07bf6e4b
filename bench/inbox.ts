/**
 * How many signed activities a second the inbox accepts (verified, de-duplicated, queued).
 *
 *   node bench/inbox.ts [count=2000] [concurrency=64]
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/tern_bench node bench/inbox.ts
 *
 * A Tern in the web role (it accepts and queues; no worker drains) answers on loopback; a fake
 * peer's Create activities are signed beforehand (draft-cavage, RSA, as Mastodon signs), so the
 * timed part is only what the receiving server does. Without DATABASE_URL, an in-memory PGlite.
 * The ceiling, measured in the same run: a SHA-256 of each body and one RSA-2048 verify each.
 */
import { createHash, generateKeyPairSync, sign, verify } from "node:crypto";
import { Worker } from "node:worker_threads";
import { serve } from "@hono/node-server";
import { loadConfig } from "../src/config/index.ts";
import { openDatabase } from "../src/db/client.ts";
import { assemble } from "../src/server.ts";
import { createLocalAccount } from "../src/services/accounts/accounts.ts";
import { FakePeer } from "../test/helpers/fake-peer.ts";
import { freePort } from "../test/helpers/process.ts";

const count = Number(process.argv[2] ?? 2000);
const concurrency = Number(process.argv[3] ?? 64);
const port = await freePort();
const base = `http://localhost:${port}`;
const config = loadConfig({
  PUBLIC_URL: base,
  PORT: String(port),
  // On PostgreSQL a web-only process; PGlite needs the role "all", whose worker is stopped below.
  NODE_ROLE: process.env.DATABASE_URL ? "web" : "all",
  ALLOW_PRIVATE_ADDRESSES: "true",
  DATABASE_URL: process.env.DATABASE_URL ?? "",
});
const database = await openDatabase({
  databaseUrl: config.databaseUrl,
  dataDir: "memory://",
  maxConnections: 20,
});
const tern = await assemble(config, { database });
await tern.worker?.stop(); // measure accepting, not processing
await createLocalAccount(database.db, base, { username: "probe", password: "benchmark password" });
const server = serve({ fetch: tern.app.fetch, port });
const peer = await new FakePeer().start();

// Sign everything first: the benchmark measures the receiver, not the sender.
const inbox = `${base}/inbox`;
const signed: { headers: [string, string][]; body: string }[] = [];
for (let i = 0; i < count; i++) {
  const id = `${peer.actorId}/statuses/${i}`;
  const activity = {
    id: `${id}/activity`,
    type: "Create",
    actor: peer.actorId,
    to: ["https://www.w3.org/ns/activitystreams#Public"],
    object: {
      id,
      type: "Note",
      attributedTo: peer.actorId,
      content: `<p>post ${i}</p>`,
      to: ["https://www.w3.org/ns/activitystreams#Public"],
    },
  };
  const request = await peer.sign(inbox, activity);
  signed.push({ headers: [...request.headers.entries()], body: await request.text() });
}

// One warm-up request fetches and caches the peer's key.
const warm = signed.pop()!;
await fetch(inbox, { method: "POST", headers: warm.headers, body: warm.body });

// The load comes from a worker thread, so sending does not eat the server's event loop.
const cpuBefore = process.cpuUsage();
const load = new Worker(new URL("./inbox-load.ts", import.meta.url), {
  workerData: { inbox, signed, concurrency },
});
const { seconds, statuses } = await new Promise<{
  seconds: number;
  statuses: Record<number, number>;
}>((resolve, reject) => {
  load.once("message", resolve);
  load.once("error", reject);
});
/** The ceiling: what verifying each request costs alone (SHA-256 of its body, one RSA verify). */
function verifyCeilingPerSecond(): number {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const text = `(request-target): post /inbox\nhost: localhost\ndate: ${new Date().toUTCString()}`;
  const signature = sign("sha256", Buffer.from(text), privateKey);
  const started = performance.now();
  for (const { body } of signed) {
    createHash("sha256").update(body).digest();
    verify("sha256", Buffer.from(text), publicKey, signature);
  }
  return signed.length / ((performance.now() - started) / 1000);
}
// CPU of this process (server and load thread) per activity: steadier than the rate on a
// shared machine, where other work takes the cores.
const cpu = process.cpuUsage(cpuBefore);
const cpuMsPerActivity = Number(((cpu.user + cpu.system) / 1000 / signed.length).toFixed(2));
const ceiling = Math.round(verifyCeilingPerSecond());
console.log(
  JSON.stringify({
    database: database.kind,
    ceilingPerSecond: ceiling,
    cpuMsPerActivity,
    ratio: Number((signed.length / seconds / ceiling).toFixed(3)),
    activities: signed.length,
    concurrency,
    seconds: Number(seconds.toFixed(2)),
    perSecond: Math.round(signed.length / seconds),
    statuses,
  }),
);
server.close();
await peer.stop();
await database.close();
process.exit(0);
