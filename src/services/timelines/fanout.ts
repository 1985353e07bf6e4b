import { type SQL, sql } from "drizzle-orm";
import { builtOnce, type Db, type Tx } from "../../db/client.ts";
import { homeEvents } from "../events/publish.ts";
import { inExclusiveList, listFeedInsert, removeFromListFeeds } from "../lists/feed.ts";
import { visibleAuthor } from "../safety/hidden.ts";
import { tagFollowersOf } from "../tags/fanout.ts";

/**
 * A follow's `languages[]` lets a post through when it lists the post's language (its primary
 * subtag: `en-GB` is `en`), lists none, or the post's language is unknown (as Mastodon does).
 */
export const inFollowLanguages = (f: SQL, s: SQL) =>
  sql`(${f}.languages is null or ${s}.language is null
    or lower(split_part(${s}.language, '-', 1)) = any(${f}.languages))`;

/**
 * Writes a status into the home feeds of the local accounts that should see it: its author (if
 * local), local followers (unless direct), local accounts it mentions, and (public posts) those
 * following one of its hashtags; and into the list feeds of the lists holding its author. One
 * statement, idempotent; inside the caller's transaction when given one, so a stored post is
 * never left out of the feeds it belongs to.
 *
 * The readers' `home` events are sent by the same statement.
 *
 * A boost goes to its booster and their followers who show boosts (`follows.show_reblogs`), as
 * the post it boosts (`home_feed.reblog_of_id`): a post boosted twice, or already in a feed
 * itself, hits home_feed_shown_key and shows once there, as on Mastodon.
 */
export async function fanOutToHomeFeeds(db: Tx, statusId: string): Promise<number> {
  const [row] = await fanOutStatement(db, { statusId });
  return row.reached;
}

/** Its text is built once (it was, for every stored post): its one value is the status id. */
const fanOutStatement = builtOnce<{ reached: number }>(() => {
  const statusId = sql.placeholder("statusId");
  return sql`
    with listed as (${listFeedInsert(statusId)}),
    reached as (
    insert into home_feed (account_id, status_id, reblog_of_id)
    select r.account_id, s.id, s.reblog_of_id from statuses s
    cross join lateral (
      select s.account_id as account_id where s.local
      union
      select f.follower_id from follows f join accounts a on a.id = f.follower_id and a.domain is null
        where f.following_id = s.account_id and f.state = 'accepted' and s.visibility <> 'direct'
          and (s.reblog_of_id is null or f.show_reblogs)
          and ${inFollowLanguages(sql`f`, sql`s`)}
          and not ${inExclusiveList(sql`f`, sql`s`)}
      union
      select m.account_id from mentions m join accounts a on a.id = m.account_id and a.domain is null
        where m.status_id = s.id
      union
      ${tagFollowersOf(sql`s`)}
    ) r
    where s.id = ${statusId}
      -- nobody gets a post (or a boost of a post) by an account they blocked, muted or were
      -- blocked by: a reply mentioning a blocker does not reach them
      and ${visibleAuthor(sql`r.account_id`, sql`s.account_id`)}
      and (s.reblog_of_id is null or ${visibleAuthor(sql`r.account_id`, sql`(select o.account_id from statuses o where o.id = s.reblog_of_id)`)})
    on conflict do nothing
    returning account_id),
    -- their user streams hear of it (only those it newly reached: an edit re-run adds nobody)
    told as (${homeEvents(sql`reached`, statusId)})
    select (select count(*) from reached)::int as reached, (select count(*) from told) as told`;
});

/** After an unfollow: the unfollowed account's posts leave the former follower's home feed. */
export async function removeFromHomeFeed(
  db: Db,
  readerId: string,
  authorId: string,
): Promise<void> {
  await db.execute(sql`
    delete from home_feed h using statuses s
    where h.account_id = ${readerId} and h.status_id = s.id and s.account_id = ${authorId}
      and not exists (select 1 from mentions m where m.status_id = s.id and m.account_id = ${readerId})`);
  await removeFromListFeeds(db, readerId, authorId);
}

/** How many of an account's latest posts join a new follower's home feed (Mastodon merges too). */
export const MERGE_ON_FOLLOW = 100;

/**
 * After a follow is accepted: the followed account's latest posts that the reader may now see
 * (public, unlisted, followers-only) join the reader's home feed, so home is not empty of them
 * until the next post; its boosts too, unless the follow hides them (and shown once, as above).
 * Bounded, so it runs in the caller's transaction. Idempotent.
 */
export async function mergeIntoHomeFeed(db: Tx, readerId: string, authorId: string): Promise<void> {
  await db.execute(sql`
    insert into home_feed (account_id, status_id, reblog_of_id)
    select ${readerId}, s.id, s.reblog_of_id from statuses s
    where s.account_id = ${authorId} and s.visibility in ('public', 'unlisted', 'private')
      and not exists (select 1 from follows f where f.follower_id = ${readerId}
        and f.following_id = ${authorId} and not ${inFollowLanguages(sql`f`, sql`s`)})
      and exists (select 1 from accounts a where a.id = ${readerId} and a.domain is null)
      and (s.reblog_of_id is null or exists (select 1 from follows f
        where f.follower_id = ${readerId} and f.following_id = ${authorId} and f.show_reblogs))
    order by s.id desc
    limit ${MERGE_ON_FOLLOW}
    on conflict do nothing`);
}
