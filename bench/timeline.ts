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
import { scratchSite } from "./scratch-site.ts";

const posts = Number(process.argv[2] ?? 100_000);
const requests = Number(process.argv[3] ?? 500);

const site = await scratchSite("bench:timeline");
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
  const get = async () => {
    const res = await fetch(`${publicUrl}/api/v1/timelines/home?limit=40`, {
      headers: { authorization: `Bearer ${token}` },
    });
    if (res.status !== 200) throw new Error(`home: ${res.status} ${await res.text()}`);
    await res.arrayBuffer();
  };
  for (let i = 0; i < 20; i++) await get(); // warm-up
  const times: number[] = [];
  const t0 = performance.now();
  for (let i = 0; i < requests; i++) {
    const t = performance.now();
    await get();
    times.push(performance.now() - t);
  }
  const total = (performance.now() - t0) / 1000;
  times.sort((a, b) => a - b);
  const at = (p: number) => times[Math.min(times.length - 1, Math.floor(times.length * p))];
  console.log(
    `${requests} sequential home pages of 40 at ${posts} posts: ${(requests / total).toFixed(0)} req/s, ` +
      `p50 ${at(0.5).toFixed(1)} ms, p99 ${at(0.99).toFixed(1)} ms`,
  );
  server.close();
} finally {
  await site.close();
}
