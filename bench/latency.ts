/**
 * A post to a follower's home on another server, on loopback: two real Tern processes (role
 * "all", each with its own database, behind TLS as in test/e2e/), bob on B following alice on A.
 * Each round times alice's POST /api/v1/statuses on A until the post is in bob's home on B
 * (polled every 5 ms), against the ceiling measured in the same run: the two API calls alone
 * (the post's own request on A and one home read on B), which a delivery costing nothing would
 * still take.
 *
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npm run bench:latency [rounds=10]
 *
 * Without DATABASE_URL both sites run on the embedded database.
 */
import { api, followAndWait, type Site, startSite, stopSite } from "../test/helpers/sites.ts";
import { makeCertificate } from "../test/helpers/tls.ts";

const rounds = Number(process.argv[2] ?? 10);
// The sites make their databases next to TEST_DATABASE_URL's (test/helpers/process.ts).
if (process.env.DATABASE_URL) process.env.TEST_DATABASE_URL ??= process.env.DATABASE_URL;

type Status = { id: string; uri: string };
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const tls = makeCertificate();
const sites: Site[] = [];
try {
  const a = await startSite(["alice"], tls.certFile, tls, undefined, { NODE_ROLE: "all" });
  sites.push(a);
  const b = await startSite(["bob"], tls.certFile, tls, undefined, { NODE_ROLE: "all" });
  sites.push(b);
  const alice = await api<{ id: string }>(b, "bob", `/api/v1/accounts/lookup?acct=alice@${a.host}`);
  await followAndWait(b, "bob", alice.id);

  const latencies: number[] = [];
  const ceilings: number[] = [];
  // Round 0 warms both sides (keys fetched and cached, connections open); it is not counted.
  for (let n = 0; n <= rounds; n++) {
    const started = performance.now();
    const post = await api<Status>(a, "alice", "/api/v1/statuses", {
      method: "POST",
      json: { status: `latency ${n}` },
    });
    const posted = performance.now();
    let readMs = 0;
    for (;;) {
      const before = performance.now();
      const home = await api<Status[]>(b, "bob", "/api/v1/timelines/home?limit=5");
      readMs = performance.now() - before;
      if (home.some((s) => s.uri === post.uri)) break;
      if (performance.now() - started > 30_000) throw new Error(`post ${n} never reached B`);
      await new Promise((r) => setTimeout(r, 5));
    }
    if (n === 0) continue;
    latencies.push(performance.now() - started);
    ceilings.push(posted - started + readMs);
  }
  const ms = Math.round(median(latencies));
  const ceiling = Math.round(median(ceilings));
  console.log(
    JSON.stringify({
      database: process.env.DATABASE_URL ? "postgres" : "pglite",
      rounds,
      latencyMs: latencies.map(Math.round),
    }),
  );
  console.table([
    {
      figure: "post on A -> in a follower's home on B (median ms)",
      tern: ms,
      ceiling,
      ratio: Number((ms / ceiling).toFixed(1)),
      goal: "<= 300 ms",
      pass: ms <= 300 ? "yes" : "no",
    },
  ]);
} finally {
  for (const site of sites) await stopSite(site);
}
process.exit(0);
