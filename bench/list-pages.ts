/**
 * Every list endpoint at scale: its plan and its latency. For each page (public, local, hashtag,
 * account statuses, notifications, status search, home) the statement that picks the page's rows
 * is EXPLAINed with its parameters and must read an index (no sequential scan on statuses,
 * home_feed or notifications), and `requests` sequential requests give p50 and p99 (goal: p99
 * at most 10 ms; issue 12).
 *
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres node bench/list-pages.ts [posts=100000] [requests=200] [follows=100]
 *
 * PostgreSQL only; seeded by `timeline-seed.ts` on a scratch database dropped afterwards.
 * Exits non-zero when a plan is not an index scan (the latency goal is reported, not enforced:
 * the machine may be shared).
 */
import { serve } from "@hono/node-server";
import { get, timed } from "./http-timing.ts";
import { scratchSite } from "./scratch-site.ts";
import { seedTimeline } from "./timeline-seed.ts";

const posts = Number(process.argv[2] ?? 100_000);
const requests = Number(process.argv[3] ?? 200);
const follows = Number(process.argv[4] ?? 100);

let log: { query: string; params: unknown[] }[] = [];
const site = await scratchSite("bench:list-pages", {
  onQuery: (query, params) => log.push({ query, params }),
});
const { tern, sql, port, publicUrl } = site;

/** The page's row-picking statement, found by what it reads first. */
const pages = (authorId: string) => [
  { name: "public", path: "/api/v1/timelines/public?limit=40", reads: /from "statuses"/ },
  { name: "local", path: "/api/v1/timelines/public?local=true&limit=40", reads: /from "statuses"/ },
  { name: "hashtag", path: "/api/v1/timelines/tag/bench?limit=40", reads: /status_tags/ },
  {
    name: "account statuses",
    path: `/api/v1/accounts/${authorId}/statuses?limit=40`,
    reads: /from "statuses"/,
  },
  { name: "notifications", path: "/api/v1/notifications?limit=40", reads: /from "notifications"/ },
  {
    name: "status search",
    path: "/api/v2/search?q=bench&type=statuses&limit=40",
    reads: /from "statuses"|from statuses/,
  },
  { name: "home", path: "/api/v1/timelines/home?limit=40", reads: /from "home_feed"/ },
];

const literal = (v: unknown) =>
  typeof v === "number" || typeof v === "boolean"
    ? String(v)
    : `'${String(v).replace(/'/g, "''")}'`;

/** EXPLAIN of the statement with its parameters inlined (the plan a custom plan would be). */
async function planOf(query: string, params: unknown[]): Promise<string> {
  const text = query.replace(/\$(\d+)/g, (_, n) => literal(params[Number(n) - 1]));
  const rows = await sql.unsafe(`explain ${text}`);
  return rows.map((r) => Object.values(r)[0]).join("\n");
}

let failed = false;
try {
  const started = Date.now();
  const { token, authorId } = await seedTimeline(site, posts, follows);
  console.log(`seeded ${posts} posts in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  const server = serve({ fetch: tern.app.fetch, port });
  const headers = { authorization: `Bearer ${token}` };
  const table = [];
  for (const page of pages(authorId)) {
    const url = `${publicUrl}${page.path}`;
    for (let i = 0; i < 10; i++) await get(url, headers); // warm-up (and prepared statements)
    log = [];
    const body = JSON.parse(new TextDecoder().decode(await get(url, headers))) as unknown;
    const shown = Array.isArray(body)
      ? body.length
      : (body as { statuses: unknown[] }).statuses.length;
    const statements = log.length;
    const main = log.find((q) => page.reads.test(q.query));
    const plan = main ? await planOf(main.query, main.params) : "(statement not found)";
    const seq = plan.match(/Seq Scan on (statuses|home_feed|notifications|status_tags)\b/);
    const indexed = /Index (Only )?Scan|Bitmap Index Scan/.test(plan) && !seq;
    if (!indexed) {
      failed = true;
      console.log(`${page.name}: not an index scan\n${main?.query ?? ""}\n${plan}`);
    }
    const t = await timed(url, headers, requests, 1);
    table.push({
      page: page.name,
      rows: shown,
      statements,
      plan: indexed ? "index" : "FAIL",
      "p50 ms": Number(t.p50.toFixed(2)),
      "p99 ms": Number(t.p99.toFixed(2)),
      "p99 <= 10 ms": t.p99 <= 10 ? "pass" : "FAIL",
    });
  }
  server.close();
  console.log(`list pages at ${posts} posts, ${follows} follows, ${requests} requests each:`);
  console.table(table);
} finally {
  await site.close();
}
if (failed) process.exitCode = 1;
