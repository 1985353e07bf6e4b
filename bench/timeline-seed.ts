/**
 * The data the page benches read, seeded in SQL (generate_series) on a scratch site: one reader
 * (a real local account with a token) following `follows` authors, `posts` public posts spread
 * over the authors in turn (so a page of 40 has 40 authors when there are at least 40), all in
 * the reader's home feed, counters backfilled as the migration does. One post in a hundred
 * carries the tag `#bench`; one in a thousand mentions the reader and notifies them.
 */
import { createHash, randomBytes } from "node:crypto";
import { accessTokens } from "../src/db/schema/index.ts";
import { newId } from "../src/lib/ids.ts";
import { createLocalAccount } from "../src/services/accounts/accounts.ts";
import type { ScratchSite } from "./scratch-site.ts";

export interface Seeded {
  readerId: string;
  token: string;
  /** One author's id (for the account statuses page). */
  authorId: string;
}

/** A real local account `reader` with a read token, as the benches sign in. */
export async function benchReader(site: ScratchSite) {
  const db = site.tern.database.db;
  const reader = await createLocalAccount(db, site.publicUrl, {
    username: "reader",
    password: "benchmark password",
  });
  const token = randomBytes(24).toString("base64url");
  await db.insert(accessTokens).values({
    id: newId(),
    tokenHash: createHash("sha256").update(token).digest("hex"),
    accountId: reader.id,
    scopes: "read",
  });
  return { reader, token };
}

export async function seedTimeline(
  site: ScratchSite,
  posts: number,
  follows: number,
): Promise<Seeded> {
  const { sql, publicUrl } = site;
  const { reader, token } = await benchReader(site);
  // Authors as rows (a real account costs a password hash and keys: minutes for 5,000).
  const base = BigInt(newId());
  await sql.unsafe(`
    insert into accounts (id, username, uri, url, display_name, note)
    select ${base} + g, 'author' || g, '${publicUrl}/users/author' || g, '${publicUrl}/@author' || g,
      'Author ' || g, '<p>A bench author.</p>'
    from generate_series(0, ${follows - 1}) g`);
  await sql.unsafe(`
    insert into follows (id, follower_id, following_id, uri, state)
    select ${base} + ${follows} + g, ${reader.id}, ${base} + g, '${publicUrl}/follows/' || g, 'accepted'
    from generate_series(0, ${follows - 1}) g`);
  // Time-sortable ids like newId's (milliseconds << 16), one post per millisecond up to now.
  await sql.unsafe(`
    insert into statuses (id, uri, url, account_id, content, visibility, local, created_at)
    select (ms << 16) + (g % 65536), '${publicUrl}/users/author' || (g % ${follows}) || '/statuses/' || g,
      '${publicUrl}/@author' || (g % ${follows}) || '/' || g, ${base} + g % ${follows},
      '<p>post ' || g || ' about nothing much' || case when g % 100 = 0 then ' #bench' else '' end || '</p>',
      'public', true, to_timestamp(ms / 1000.0)
    from (select g, (extract(epoch from now()) * 1000)::bigint - ${posts} + g as ms
      from generate_series(1, ${posts}) g) s`);
  await sql`insert into status_tags (status_id, name)
    select id, 'bench' from statuses where content like '%#bench%'`;
  await sql`insert into home_feed (account_id, status_id)
    select ${reader.id}, id from statuses on conflict do nothing`;
  await sql`insert into mentions (status_id, account_id)
    select id, ${reader.id} from statuses where id % 1000 = 0`;
  await sql`insert into notifications (id, account_id, type, from_account_id, status_id, group_key)
    select s.id, ${reader.id}, 'mention', s.account_id, s.id, 'ungrouped-' || s.id
    from statuses s where s.id % 1000 = 0`;
  await sql`insert into account_stats (account_id, statuses_count, last_status_at)
    select account_id, count(*)::int, max(created_at) from statuses group by account_id
    on conflict (account_id) do update set statuses_count = excluded.statuses_count,
      last_status_at = excluded.last_status_at`;
  await sql`update account_stats set followers_count = 1 where account_id <> ${reader.id}`;
  await sql`insert into account_stats (account_id, following_count) values (${reader.id}, ${follows})
    on conflict (account_id) do update set following_count = excluded.following_count`;
  await sql`vacuum analyze`;
  return { readerId: reader.id, token, authorId: String(base) };
}
