/**
 * One post to 1,000 shared inboxes: time from the post's commit to the first and the last
 * delivery, and the SQL statements the whole fan-out sends (until its jobs are gone), against the
 * ceiling measured in the same run: 1,000 RSA-2048 signatures of a draft-cavage signing string.
 * Each round also tells the CPU the process spent on it (cpuMs): on a loaded machine the time
 * figures mostly say how much of a core the process got.
 *
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npm run bench:fanout [inboxes=1000] [rounds=2]
 *
 * A Tern in the role "all" on a fresh database (dropped afterwards) has one local author followed
 * by `inboxes` remote accounts, each on a host of its own (127.1.a.b, one loopback receiver in a
 * worker thread answering 202). The first round also fills Fedify's per-host caches (signature
 * spec, circuit state); later rounds are what a server that federates daily sees.
 */
import { generateKeyPairSync, sign } from "node:crypto";
import { Worker } from "node:worker_threads";
import { accounts, follows } from "../src/db/schema/index.ts";
import { newId } from "../src/lib/ids.ts";
import { createLocalAccount } from "../src/services/accounts/accounts.ts";
import { createLocalStatus } from "../src/services/statuses/local.ts";
import { scratchSite } from "./scratch-site.ts";

const inboxes = Number(process.argv[2] ?? 1000);
const rounds = Number(process.argv[3] ?? 2);

const kinds = { kv: 0, jobs: 0, other: 0 };
const kindOf = (q: string): keyof typeof kinds =>
  /\b"?kv"?\b/.test(q) ? "kv" : /\b"?jobs"?\b/.test(q) ? "jobs" : "other";
let counting = false;
const site = await scratchSite("bench:fanout", {
  env: { NODE_ROLE: "all", LOG_LEVEL: process.env.LOG_LEVEL ?? "error" },
  onQuery: (q) => {
    if (counting) kinds[kindOf(q)]++;
  },
});

const receivers = new Worker(new URL("./fanout-receivers.ts", import.meta.url), {
  workerData: { expect: inboxes },
});
const { port } = await new Promise<{ port: number }>((r) => receivers.once("message", r));

const { db, kind } = site.tern.database;
const author = await createLocalAccount(db, site.publicUrl, {
  username: "author",
  password: "benchmark password",
});
const remote = Array.from({ length: inboxes }, (_, i) => {
  // 254 hosts per block: 127.1.0.256 is no address (one such follower once stalled the 1,000 run).
  const host = `127.1.${Math.floor(i / 254)}.${(i % 254) + 1}:${port}`;
  return {
    id: newId(),
    username: "reader",
    domain: host,
    uri: `http://${host}/users/reader`,
    inboxUrl: `http://${host}/users/reader/inbox`,
    sharedInboxUrl: `http://${host}/inbox`,
  };
});
for (let i = 0; i < remote.length; i += 500) {
  const chunk = remote.slice(i, i + 500);
  await db.insert(accounts).values(chunk);
  await db.insert(follows).values(
    chunk.map((a) => ({
      id: newId(),
      followerId: a.id,
      followingId: author.id,
      uri: `${a.uri}/follows/1`,
      state: "accepted" as const,
    })),
  );
}

async function jobsLeft(): Promise<number> {
  const [{ n }] = await site.sql<{ n: number }[]>`select count(*)::int as n from jobs`;
  return n;
}

interface Round {
  firstMs: number;
  lastMs: number;
  /** CPU this process spent (all its threads, the receivers' included) until the last delivery. */
  cpuMs: number;
  hosts: number;
  statements: typeof kinds;
}
async function round(n: number): Promise<Round> {
  receivers.postMessage("reset");
  for (const k of Object.keys(kinds) as (keyof typeof kinds)[]) kinds[k] = 0;
  const arrived = new Promise<{ first: number; last: number; hosts: number }>((r) =>
    receivers.once("message", r),
  );
  counting = true;
  const cpuBefore = process.cpuUsage();
  await createLocalStatus(db, site.tern.config, author, { status: `fan-out ${n}` });
  const committed = Date.now();
  const got = await arrived;
  const cpu = process.cpuUsage(cpuBefore);
  while ((await jobsLeft()) > 0) await new Promise((r) => setTimeout(r, 20));
  counting = false;
  return {
    firstMs: got.first - committed,
    lastMs: got.last - committed,
    cpuMs: Math.round((cpu.user + cpu.system) / 1000),
    hosts: got.hosts,
    statements: { ...kinds },
  };
}

/** The ceiling: signing every delivery (RSA-2048, SHA-256) and nothing else. */
function signingCeilingMs(): number {
  const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const started = performance.now();
  for (let i = 0; i < inboxes; i++) {
    const text = `(request-target): post /inbox\nhost: 127.1.0.${i}\ndate: ${new Date().toUTCString()}\ndigest: SHA-256=${i}`;
    sign("sha256", Buffer.from(text), privateKey);
  }
  return performance.now() - started;
}

const results: Round[] = [];
for (let n = 0; n < rounds; n++) results.push(await round(n));
const ceiling = signingCeilingMs();
const warm = results.at(-1)!;
const total = (s: typeof kinds) => s.kv + s.jobs + s.other;
console.log(
  JSON.stringify({
    database: kind,
    inboxes,
    rounds: results.map((r) => ({
      firstMs: r.firstMs,
      lastMs: r.lastMs,
      cpuMs: r.cpuMs,
      hosts: r.hosts,
      statements: total(r.statements),
      ...r.statements,
    })),
  }),
);
console.table([
  {
    figure: `1 post -> ${inboxes} inboxes, to last delivery (ms)`,
    tern: warm.lastMs,
    ceiling: Math.round(ceiling),
    ratio: Number((warm.lastMs / ceiling).toFixed(1)),
    goal: "<= 1000 ms (<= 4x ceiling)",
    pass: warm.lastMs <= 1000 ? "yes" : "no",
  },
  {
    figure: "first delivery after commit (ms)",
    tern: warm.firstMs,
    ceiling: "",
    ratio: "",
    goal: "<= 100 ms",
    pass: warm.firstMs <= 100 ? "yes" : "no",
  },
  {
    figure: "SQL statements for the fan-out",
    tern: total(warm.statements),
    ceiling: "",
    ratio: "",
    goal: "",
    pass: "",
  },
]);
await receivers.terminate();
await site.close();
process.exit(0);
