/**
 * Search and hashtag pages as posts pile up: the query plans (EXPLAIN ANALYZE) and API timings of
 * a full-text search for a rare and a common word, an account search with a typo, a hashtag
 * prefix search and a tag timeline page.
 *
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres node bench/search.ts [posts=200000]
 *
 * PostgreSQL only. A fresh database is created next to DATABASE_URL's and dropped afterwards:
 * 20,000 accounts and `posts` public statuses seeded in SQL with generate_series; every post says
 * "common", one in 1,000 says "rare<n>", one in ten carries #tag<n % 50>.
 * Ceiling to keep: every plan below uses its index (statuses_search_idx, accounts_search_trgm_idx,
 * status_tags_name_status_idx) and each request stays under 50 ms at 200k posts on a laptop.
 */
import { serve } from "@hono/node-server";
import { scratchSite } from "./scratch-site.ts";
import { benchReader } from "./timeline-seed.ts";

const posts = Number(process.argv[2] ?? 200_000);

const site = await scratchSite("bench:search");
const { tern, sql, port, publicUrl } = site;

try {
  const { token } = await benchReader(site);
  const started = Date.now();
  await sql.unsafe(`
    insert into accounts (id, username, uri, display_name, indexable, discoverable)
    select 1000 + g, 'user' || g, '${publicUrl}/users/user' || g,
      (array['Margaret','Grace','Ada','Alan','Edsger'])[g % 5 + 1] || ' ' ||
      (array['Hamilton','Hopper','Lovelace','Turing','Dijkstra'])[g / 5 % 5 + 1] || ' ' || g, true, true
    from generate_series(1, 20000) g`);
  await sql.unsafe(`
    with series as (
      select g, (extract(epoch from now()) * 1000)::bigint - ${posts} + g as ms
      from generate_series(1, ${posts}) g
    )
    insert into statuses (id, uri, account_id, content, visibility, local, created_at)
    select (s.ms << 16) + (s.g % 65536), '${publicUrl}/s/' || s.g, 1000 + s.g % 1000 + 1,
      '<p>post ' || s.g || ' common words' || case when s.g % 1000 = 0 then ' rare' || s.g else '' end
        || case when s.g % 10 = 0 then ' <a href="x" class="mention hashtag">#tag' || (s.g % 50) || '</a>' else '' end
        || '</p>',
      'public', true, to_timestamp(s.ms / 1000.0)
    from series s`);
  await sql`insert into status_tags (status_id, name)
    select id, 'tag' || substring(content from '#tag([0-9]+)') from statuses where content like '%#tag%'`;
  // And a rare tag: one post in 5,000.
  await sql`insert into status_tags (status_id, name) select id, 'raretag' from statuses where id % 5000 = 1`;
  await sql`analyze`;
  console.log(`seeded ${posts} posts in ${((Date.now() - started) / 1000).toFixed(1)} s`);

  const doc = `to_tsvector('simple'::regconfig, coalesce(spoiler_text, '') || ' ' || regexp_replace(content, '<[^>]*>', ' ', 'g'))`;
  const text = `lower(username || ' ' || coalesce(domain, '') || ' ' || display_name)`;
  const plans: [string, string][] = [
    [
      "full text, rare word",
      `select id from statuses where ${doc} @@ websearch_to_tsquery('simple', 'rare${posts / 2}') and reblog_of_id is null and exists (select 1 from accounts a where a.id = account_id and a.indexable) order by id + 0 desc limit 20`,
    ],
    [
      "full text, common word",
      `select id from statuses where ${doc} @@ websearch_to_tsquery('simple', 'common') and reblog_of_id is null and exists (select 1 from accounts a where a.id = account_id and a.indexable) order by id desc limit 20`,
    ],
    [
      "account typo",
      `select id from accounts where ${text} like '%hamiltn%' or 'hamiltn' <% ${text} order by word_similarity('hamiltn', ${text}) desc limit 20`,
    ],
    [
      "rare tag timeline",
      `select s.id from status_tags st join statuses s on s.id = st.status_id where st.name = 'raretag' and s.visibility = 'public' and s.reblog_of_id is null order by st.status_id desc limit 20`,
    ],
    [
      "tag timeline",
      `select s.id from status_tags st join statuses s on s.id = st.status_id where st.name = 'tag10' and s.visibility = 'public' and s.reblog_of_id is null order by st.status_id desc limit 20`,
    ],
  ];
  for (const [label, query] of plans) {
    // As services/search/statuses.ts runs a text search: no sequential scan in its transaction.
    const rows = await sql.begin(async (tx) => {
      if (label.startsWith("full text")) await tx.unsafe("set local enable_seqscan = off");
      // Many matches: the service walks the newest posts instead (see searchStatuses).
      if (label.includes("common")) await tx.unsafe("set local enable_bitmapscan = off");
      return tx.unsafe(`explain (analyze, costs off) ${query}`);
    });
    console.log(`\n-- ${label}\n${rows.map((r) => Object.values(r)[0]).join("\n")}`);
  }

  const server = serve({ fetch: tern.app.fetch, port });
  const time = async (path: string) => {
    const get = async () => {
      const res = await fetch(`${publicUrl}${path}`, {
        headers: { authorization: `Bearer ${token}` },
      });
      if (res.status !== 200) throw new Error(`${path}: ${res.status} ${await res.text()}`);
      await res.arrayBuffer();
    };
    for (let i = 0; i < 5; i++) await get();
    const times: number[] = [];
    for (let i = 0; i < 50; i++) {
      const t = performance.now();
      await get();
      times.push(performance.now() - t);
    }
    times.sort((a, b) => a - b);
    console.log(`${path}: p50 ${times[25].toFixed(1)} ms, p99 ${times[49].toFixed(1)} ms`);
  };
  console.log("");
  await time(`/api/v2/search?type=statuses&q=rare${posts / 2}`);
  await time("/api/v2/search?type=statuses&q=common");
  await time("/api/v2/search?type=accounts&q=hamiltn");
  await time("/api/v2/search?type=hashtags&q=tag1");
  await time("/api/v1/timelines/tag/tag10?limit=40");
  await time("/api/v1/timelines/tag/raretag?limit=40");
  server.close();
} finally {
  await site.close();
}
