import { sql } from "drizzle-orm";
import { type Db, queryRows } from "../../db/client.ts";
import { visibleAuthor } from "../safety/hidden.ts";

/**
 * Puts a public post into the home feeds of the local accounts following one of its hashtags,
 * local or remote author alike (Mastodon's FeedManager does the same for followed tags). One
 * insert … select: followed_tags_name_idx finds the followers of the post's tags; a reader who
 * blocked or muted the author (or was blocked by them, or blocked their domain) is skipped;
 * home_feed's keys make it idempotent and keep a post shown once. Boosts are not tag matches.
 * Returns the readers it newly reached (their streams hear of it).
 */
export async function fanOutToTagFollowers(db: Db, statusId: string): Promise<string[]> {
  const rows = await queryRows<{ account_id: string }>(
    db,
    sql`
    insert into home_feed (account_id, status_id, reblog_of_id)
    select distinct ft.account_id, s.id, s.reblog_of_id from statuses s
    join status_tags st on st.status_id = s.id
    join followed_tags ft on ft.name = st.name
    where s.id = ${statusId} and s.visibility = 'public' and s.reblog_of_id is null
      and ft.account_id <> s.account_id
      and ${visibleAuthor(sql`ft.account_id`, sql`s.account_id`)}
    on conflict do nothing
    returning account_id`,
  );
  return rows.map((r) => String(r.account_id));
}
