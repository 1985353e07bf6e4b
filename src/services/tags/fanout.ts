import { type SQL, sql } from "drizzle-orm";

/**
 * The local accounts following one of the hashtags of the public post `s` (Mastodon's
 * FeedManager does the same for followed tags), local or remote author alike, as a select of
 * `account_id` that the home fan-out (timelines/fanout.ts) unions with the author's followers:
 * followed_tags_name_idx finds them, and the fan-out's block and mute rules and home_feed's keys
 * apply to them as to everyone. Boosts are not tag matches; an author never gets their own post
 * this way.
 */
export function tagFollowersOf(s: SQL): SQL {
  return sql`select ft.account_id from status_tags st
        join followed_tags ft on ft.name = st.name
        where st.status_id = ${s}.id and ${s}.visibility = 'public' and ${s}.reblog_of_id is null
          and ft.account_id <> ${s}.account_id`;
}
