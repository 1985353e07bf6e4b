/**
 * How fast a home timeline page renders as posts pile up: `GET /api/v1/timelines/home?limit=40`,
 * requested one after another and 10 at a time from this process to Tern running as its own
 * process (`node src/main.js`, role web), with req/s, p50 and p99, against a ceiling measured in
 * the same run (bare Hono answering the same JSON bytes, from a worker thread: bare-json.ts).
 *
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npm run bench:timeline [posts=100000] [requests=500] [follows=100]
 *
 * PostgreSQL only. A fresh database is created next to DATABASE_URL's and dropped afterwards,
 * seeded by `timeline-seed.ts` (one reader following `follows` authors, `posts` posts spread over
 * them in turn, all in the reader's home feed). Issue 12's figure: 1000000 posts, 5000 follows.
 */
import { once } from "node:events";
import { Worker } from "node:worker_threads";
import { serve } from "@hono/node-server";
import { freePort, startServer } from "../test/helpers/process.ts";
import { cpuSecondsOf, get, postgresCpuSeconds, timed } from "./http-timing.ts";
import { scratchSite } from "./scratch-site.ts";
import { seedTimeline } from "./timeline-seed.ts";

/** One line of the table: Tern's figure, the ceiling's, their ratio, the goal and pass/fail. */
function row(what: string, figure: number, ceiling: number, goal?: number, lower = false) {
  const ratio = lower ? ceiling / figure : figure / ceiling;
  const pass =
    goal === undefined ? "" : (lower ? figure <= goal : figure >= goal) ? "pass" : "FAIL";
  return {
    what,
    tern: Number(figure.toFixed(1)),
    ceiling: Number(ceiling.toFixed(1)),
    ratio: Number(ratio.toFixed(2)),
    goal: goal ?? "",
    pass,
  };
}

const posts = Number(process.argv[2] ?? 100_000);
const requests = Number(process.argv[3] ?? 500);
const follows = Number(process.argv[4] ?? 100);

let statements = 0;
const site = await scratchSite("bench:timeline", { onQuery: () => statements++ });
const { tern, port, publicUrl } = site;

try {
  const started = Date.now();
  const { token } = await seedTimeline(site, posts, follows);
  console.log(
    `seeded ${posts} posts by ${follows} followed authors in ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );

  // The statements a page takes, counted in this process (the same code on the same database).
  const server = serve({ fetch: tern.app.fetch, port });
  const headers = { authorization: `Bearer ${token}` };
  const inProcess = `${publicUrl}/api/v1/timelines/home?limit=40`;
  await get(inProcess, headers); // prepared statements
  const before = statements;
  const body = await get(inProcess, headers);
  const perPage = statements - before;
  server.close();

  // The figure: Tern as it runs, its own process on the same database, with nothing else in it.
  // TIMELINE_PROFILE=dir writes that process's CPU profile (start-up included) into dir.
  const profileDir = process.env.TIMELINE_PROFILE;
  const child = await startServer({
    PUBLIC_URL: publicUrl,
    NODE_ROLE: "web",
    DATABASE_URL: site.databaseUrl,
    // The page alone by default; RATE_LIMITS=true adds the API's per-request counting (with an
    // allowance no run reaches: counted, never refused).
    RATE_LIMITS: process.env.RATE_LIMITS ?? "false",
    RATE_LIMIT_API: "100000000/5m",
    ALLOW_PRIVATE_ADDRESSES: "true",
    ...(profileDir ? { NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${profileDir}` } : {}),
  });
  const home = `${child.httpUrl}/api/v1/timelines/home?limit=40`;
  let tern1: Awaited<ReturnType<typeof timed>>;
  let tern10: typeof tern1;
  let cpuPerPage: { tern: number; postgres: number };
  try {
    for (let i = 0; i < 20; i++) await get(home, headers); // warm-up (and prepared statements)
    const cpu0 = { tern: cpuSecondsOf(child.child.pid), postgres: postgresCpuSeconds() };
    tern1 = await timed(home, headers, requests, 1);
    // CPU per page (steadier than the rates on a shared machine): Tern's process and PostgreSQL's.
    cpuPerPage = {
      tern: ((cpuSecondsOf(child.child.pid) - cpu0.tern) * 1000) / requests,
      postgres: ((postgresCpuSeconds() - cpu0.postgres) * 1000) / requests,
    };
    tern10 = await timed(home, headers, requests, 10);
  } finally {
    await child.kill(); // also when a request fails: no Tern process left behind
  }

  // The ceiling: bare Hono answering the same JSON bytes, on the same machine in the same run.
  const barePort = await freePort();
  const bare = new Worker(new URL("./bare-json.ts", import.meta.url), {
    workerData: { body, port: barePort },
  });
  await once(bare, "message");
  const bareUrl = `http://127.0.0.1:${barePort}/`;
  for (let i = 0; i < 20; i++) await get(bareUrl, {});
  const bare1 = await timed(bareUrl, {}, requests, 1);
  const bare10 = await timed(bareUrl, {}, requests, 10);
  await bare.terminate();

  console.log(
    `home page of 40 at ${posts} posts: ${perPage} SQL statements a page, ${body.length} bytes`,
  );
  console.log(
    `CPU per page, sequential: Tern ${cpuPerPage.tern.toFixed(2)} ms, PostgreSQL ${cpuPerPage.postgres.toFixed(2)} ms`,
  );
  console.table([
    row("sequential req/s", tern1.rate, bare1.rate, 1000),
    row("sequential p99 ms", tern1.p99, bare1.p99, 5, true),
    row("10 concurrent req/s", tern10.rate, bare10.rate, 2000),
    row("10 concurrent p99 ms", tern10.p99, bare10.p99, undefined, true),
  ]);
} finally {
  await site.close();
}
