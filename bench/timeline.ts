/**
 * How fast a home timeline page renders as posts pile up: `GET /api/v1/timelines/home?limit=40`,
 * requested one after another, with req/s, p50 and p99.
 *
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npm run bench:timeline [posts=100000] [requests=500]
 *
 * PostgreSQL only. A fresh database is created next to DATABASE_URL's and dropped afterwards:
 * 100 authors followed by one reader, `posts` statuses spread over them (seeded in SQL with
 * generate_series), all in the reader's home feed, counters backfilled as the migration does.
 * Ceiling to keep: p99 under 50 ms at 100k posts on a laptop (8.8 ms of SQL per page at 1M posts
 * was the reason to keep counters instead of counting).
 */
import { createHash, randomBytes } from "node:crypto";
import { serve } from "@hono/node-server";
import { accessTokens } from "../src/db/schema/index.ts";
import { newId } from "../src/lib/ids.ts";
import { createLocalAccount } from "../src/services/accounts/accounts.ts";
import { followAccount } from "../src/services/follows/follows.ts";
import { freePort } from "../test/helpers/process.ts";
import { scratchSite } from "./scratch-site.ts";

/** Uncompressed (as the ceiling answers): the figure is rendering, not gzip. */
async function get(url: string, headers: Record<string, string>): Promise<Uint8Array<ArrayBuffer>> {
  const res = await fetch(url, { headers: { ...headers, "accept-encoding": "identity" } });
  if (res.status !== 200) throw new Error(`${url}: ${res.status} ${await res.text()}`);
  return new Uint8Array(await res.arrayBuffer());
}

/** `count` requests from `concurrency` keep-alive clients: req/s, p50 and p99 (ms). */
async function timed(
  url: string,
  headers: Record<string, string>,
  count: number,
  concurrency: number,
) {
  const times: number[] = [];
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next++ < count) {
        const t = performance.now();
        await get(url, headers);
        times.push(performance.now() - t);
      }
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  times.sort((a, b) => a - b);
  const at = (p: number) => times[Math.min(times.length - 1, Math.floor(times.length * p))];
  return { rate: count / seconds, p50: at(0.5), p99: at(0.99) };
}

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

let statements = 0;
const site = await scratchSite("bench:timeline", { onQuery: () => statements++ });
const { tern, sql, port, publicUrl } = site;
const db = tern.database.db;

try {
  const reader = await createLocalAccount(db, publicUrl, {
    username: "reader",
    password: "benchmark password",
  });
  for (let i = 0; i < 100; i++) {
    const author = await createLocalAccount(db, publicUrl, {
      username: `author${i}`,
      password: "benchmark password",
    });
    await followAccount(db, reader, author);
  }
  const token = randomBytes(24).toString("base64url");
  await db.insert(accessTokens).values({
    id: newId(),
    tokenHash: createHash("sha256").update(token).digest("hex"),
    accountId: reader.id,
    scopes: "read",
  });
  const started = Date.now();
  // Time-sortable ids like newId's (milliseconds << 16), one post per millisecond up to now.
  await sql.unsafe(`
    with authors as (
      select id, username, row_number() over (order by id) - 1 as n
      from accounts where username like 'author%'
    ), series as (
      select g, (extract(epoch from now()) * 1000)::bigint - ${posts} + g as ms
      from generate_series(1, ${posts}) g
    )
    insert into statuses (id, uri, url, account_id, content, visibility, local, created_at)
    select (s.ms << 16) + (s.g % 65536), '${publicUrl}/users/' || a.username || '/statuses/' || s.g,
      '${publicUrl}/@' || a.username || '/' || s.g, a.id, '<p>post ' || s.g || ' about nothing much</p>',
      'public', true, to_timestamp(s.ms / 1000.0)
    from series s join authors a on a.n = s.g % 100`);
  await sql`insert into home_feed (account_id, status_id)
    select ${reader.id}, id from statuses on conflict do nothing`;
  await sql`insert into account_stats (account_id, statuses_count, last_status_at)
    select account_id, count(*)::int, max(created_at) from statuses group by account_id
    on conflict (account_id) do update set statuses_count = excluded.statuses_count,
      last_status_at = excluded.last_status_at`.catch(() => {}); // absent before the counters
  await sql`analyze`;
  console.log(`seeded ${posts} posts in ${((Date.now() - started) / 1000).toFixed(1)} s`);

  const server = serve({ fetch: tern.app.fetch, port });
  const home = `${publicUrl}/api/v1/timelines/home?limit=40`;
  const headers = { authorization: `Bearer ${token}` };
  for (let i = 0; i < 20; i++) await get(home, headers); // warm-up (and prepared statements)
  const before = statements;
  const body = await get(home, headers);
  const perPage = statements - before;
  const tern1 = await timed(home, headers, requests, 1);
  const tern10 = await timed(home, headers, requests, 10);
  server.close();

  // The ceiling: bare Hono answering the same JSON bytes, on the same machine in the same run.
  const { Hono } = await import("hono");
  const bare = new Hono().get("/", (c) =>
    c.body(body, 200, { "content-type": "application/json" }),
  );
  const barePort = await freePort();
  const bareServer = serve({ fetch: bare.fetch, port: barePort });
  const bareUrl = `http://localhost:${barePort}/`;
  for (let i = 0; i < 20; i++) await get(bareUrl, {});
  const bare1 = await timed(bareUrl, {}, requests, 1);
  const bare10 = await timed(bareUrl, {}, requests, 10);
  bareServer.close();

  console.log(
    `home page of 40 at ${posts} posts: ${perPage} SQL statements a page, ${body.length} bytes`,
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
