/**
 * How many signed activities a second the inbox accepts (verified, de-duplicated, queued) and
 * stores (each Create a status in the follower's home), against the ceiling measured in the same
 * run: a SHA-256 of each body and one RSA-2048 verify each.
 *
 *   node bench/inbox.ts [count=2000] [concurrency=64] [--accept-only]
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npm run bench:inbox
 *
 * On PostgreSQL, one process pair on a fresh database (dropped afterwards): this process serves
 * the web role on loopback, a `NODE_ROLE=worker` child drains the inbox queue while the load runs
 * (`--accept-only`: no worker, as a web process with its workers elsewhere). Without
 * DATABASE_URL, one in-memory PGlite Tern in the role "all". A fake peer's Create activities are
 * signed beforehand (draft-cavage, RSA, as Mastodon signs), so the timed part is only what the
 * receiving server does; `probe` follows the peer, so every post lands in its home.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createHash, generateKeyPairSync, sign, verify } from "node:crypto";
import { Worker } from "node:worker_threads";
import { serve } from "@hono/node-server";
import { sql } from "drizzle-orm";
import { loadConfig } from "../src/config/index.ts";
import { openDatabase, queryRows } from "../src/db/client.ts";
import { follows } from "../src/db/schema/index.ts";
import { resolveRemoteAccount } from "../src/federation/resolve.ts";
import { newId } from "../src/lib/ids.ts";
import { assemble, type Tern } from "../src/server.ts";
import { createLocalAccount } from "../src/services/accounts/accounts.ts";
import { FakePeer } from "../test/helpers/fake-peer.ts";
import { freePort } from "../test/helpers/process.ts";
import { cpuSecondsOf } from "./http-timing.ts";
import { scratchSite } from "./scratch-site.ts";

const args = process.argv.slice(2).filter((a) => !a.startsWith("--"));
const acceptOnly = process.argv.includes("--accept-only");
const count = Number(args[0] ?? 2000);
const concurrency = Number(args[1] ?? 64);
// One peer sends everything: its per-host allowance must not be what is measured (the counting
// itself, one upsert per POST, still is).
const env = {
  RATE_LIMITS: "true",
  LOG_LEVEL: process.env.LOG_LEVEL ?? "error",
  INBOX_HOST_RATE_LIMIT: "100000000/5m",
};

/** The Tern under test: on PostgreSQL a scratch site (web role), else an in-memory PGlite. */
async function startTern(): Promise<{ tern: Tern; port: number; close(): Promise<void> }> {
  if (process.env.DATABASE_URL) {
    const site = await scratchSite("bench:inbox", { env, maxConnections: 20 });
    return { tern: site.tern, port: site.port, close: () => site.close() };
  }
  const port = await freePort();
  const config = loadConfig({
    PUBLIC_URL: `http://localhost:${port}`,
    PORT: String(port),
    NODE_ROLE: "all",
    ALLOW_PRIVATE_ADDRESSES: "true",
    ...env,
  });
  const database = await openDatabase({ databaseUrl: "", dataDir: "memory://" });
  const tern = await assemble(config, { database });
  if (acceptOnly) await tern.worker?.stop();
  return { tern, port, close: () => database.close() };
}

/** A worker process on the same database (PostgreSQL only); resolves once it answers /health. */
async function startWorkerProcess(tern: Tern): Promise<ChildProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, [...process.execArgv, "src/main.js"], {
    env: {
      ...process.env,
      ...env,
      NODE_ROLE: "worker",
      PORT: String(port),
      PUBLIC_URL: tern.config.publicUrl,
      DATABASE_URL: tern.config.databaseUrl,
      ALLOW_PRIVATE_ADDRESSES: "true",
    },
    stdio: ["ignore", "inherit", "inherit"],
  });
  // However this bench ends, its worker ends with it.
  process.on("exit", () => child.kill("SIGTERM"));
  // A loaded machine can take a minute to start a process.
  for (let i = 0; i < 1200; i++) {
    const up = await fetch(`http://localhost:${port}/health`).then(
      (r) => r.ok,
      () => false,
    );
    if (up) return child;
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill("SIGTERM");
  throw new Error("the worker process did not start");
}

const { tern, port, close } = await startTern();
const base = tern.config.publicUrl;
const { db } = tern.database;
const server = serve({ fetch: tern.app.fetch, port });
const peer = await new FakePeer().start();
const probe = await createLocalAccount(db, base, {
  username: "probe",
  password: "benchmark password",
});
const remote = await resolveRemoteAccount(
  tern.federation,
  { db, config: tern.config },
  peer.actorId,
);
if (!remote) throw new Error("could not resolve the peer's actor");
const followId = newId();
await db.insert(follows).values({
  id: followId,
  followerId: probe.id,
  followingId: remote.id,
  uri: `${probe.uri}#follows/${followId}`,
  state: "accepted",
});

// Sign everything first: the benchmark measures the receiver, not the sender.
const inbox = `${base}/inbox`;
const signed: { headers: [string, string][]; body: string }[] = [];
for (let i = 0; i <= count; i++) {
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

// One warm-up request fetches and caches the peer's key (its post lands too: count + 1 in all).
const warm = signed.pop()!;
await fetch(inbox, { method: "POST", headers: warm.headers, body: warm.body });
const worker = process.env.DATABASE_URL && !acceptOnly ? await startWorkerProcess(tern) : null;
const stored = async (): Promise<number> => {
  const [row] = await queryRows<{ n: number }>(
    db,
    sql`select count(*)::int as n from home_feed where account_id = ${probe.id}`,
  );
  return Number(row?.n ?? 0);
};
const storedBefore = acceptOnly ? 0 : await waitForStored(1, 30_000);

/** Polls the follower's home until it holds `n` posts (or `limitMs` passes); returns the count. */
async function waitForStored(n: number, limitMs: number): Promise<number> {
  const until = performance.now() + limitMs;
  let have = await stored();
  while (have < n && performance.now() < until) {
    await new Promise((r) => setTimeout(r, 50));
    have = await stored();
  }
  return have;
}

// The load comes from a worker thread, so sending does not eat the server's event loop.
const cpuBefore = process.cpuUsage();
const workerCpuBefore = cpuSecondsOf(worker?.pid);
const started = performance.now();
const windowFrom = process.hrtime.bigint() / 1000n;
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
const webCpu = process.cpuUsage(cpuBefore);
// The timed window on the clock of --cpu-prof's samples (µs), to profile only the load.
if (process.execArgv.includes("--cpu-prof"))
  console.error(`profile window ${windowFrom} ${process.hrtime.bigint() / 1000n}`);
const storedCount = acceptOnly
  ? 0
  : (await waitForStored(storedBefore + signed.length, 300_000)) - storedBefore;
const storedSeconds = (performance.now() - started) / 1000;
const workerCpu = cpuSecondsOf(worker?.pid) - workerCpuBefore;
if (process.execArgv.includes("--cpu-prof") && !acceptOnly)
  console.error(`stored window ${windowFrom} ${process.hrtime.bigint() / 1000n}`);

/** The ceiling: what verifying each request costs alone (SHA-256 of its body, one RSA verify). */
function verifyCeilingPerSecond(): number {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const text = `(request-target): post /inbox\nhost: localhost\ndate: ${new Date().toUTCString()}`;
  const signature = sign("sha256", Buffer.from(text), privateKey);
  const t0 = performance.now();
  for (const { body } of signed) {
    createHash("sha256").update(body).digest();
    verify("sha256", Buffer.from(text), publicKey, signature);
  }
  return signed.length / ((performance.now() - t0) / 1000);
}
// CPU per activity (steadier than the rates on a shared machine, where other work takes the
// cores): of this process (web role and load thread, while the load ran) and of the worker.
const perActivity = (ms: number) => Number((ms / signed.length).toFixed(2));
const ceiling = Math.round(verifyCeilingPerSecond());
const accepted = signed.length / seconds;
console.log(
  JSON.stringify({
    database: tern.database.kind,
    ceilingPerSecond: ceiling,
    acceptedPerSecond: Math.round(accepted),
    ratio: Number((accepted / ceiling).toFixed(3)),
    storedPerSecond: acceptOnly ? null : Math.round(storedCount / storedSeconds),
    stored: acceptOnly ? null : `${storedCount}/${signed.length}`,
    webCpuMsPerActivity: perActivity((webCpu.user + webCpu.system) / 1000),
    workerCpuMsPerActivity: worker ? perActivity(workerCpu * 1000) : null,
    activities: signed.length,
    concurrency,
    seconds: Number(seconds.toFixed(2)),
    statuses,
  }),
);
server.close();
worker?.kill("SIGTERM");
await peer.stop();
await close();
process.exit(0);
