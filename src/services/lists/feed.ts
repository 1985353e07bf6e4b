import { and, eq, type Placeholder, type SQL, sql } from "drizzle-orm";
import type { Db, Tx } from "../../db/client.ts";
import { listFeed, statuses } from "../../db/schema/index.ts";
import { keyset, type Page, pageLimit } from "../paging.ts";
import { visibleAuthor } from "../safety/hidden.ts";
import { loadPageBundles } from "../statuses/load.ts";
import type { StatusBundle } from "../statuses/types.ts";
import { inFollowLanguages } from "../timelines/fanout.ts";

/**
 * List timelines are materialized in `list_feed` by the same worker fan-out that writes home
 * feeds: a member's post (not direct; a boost only if the follow shows boosts; in the follow's
 * languages) goes to every list holding them, in one statement.
 */

/** How many of a new member's latest posts join the list's feed at once (bounded, in the request). */
export const BACKFILL_ON_ADD = 40;

/**
 * Mastodon's `replies_policy`: a reply to someone else reaches a list when it answers the list's
 * owner, or (`followed`) someone the owner follows, or (`list`) a member of the list; `none`
 * shows no replies to others. Self-replies (threads) always do.
 */
function repliesAllowed(l: SQL, s: SQL): SQL {
  return sql`(${s}.in_reply_to_id is null
    or ${s}.in_reply_to_account_id = ${s}.account_id
    or ${s}.in_reply_to_account_id = ${l}.account_id
    or (${l}.replies_policy = 'followed' and exists (select 1 from follows rf
      where rf.follower_id = ${l}.account_id and rf.following_id = ${s}.in_reply_to_account_id
        and rf.state = 'accepted'))
    or (${l}.replies_policy = 'list' and exists (select 1 from list_accounts rl
      where rl.list_id = ${l}.id and rl.account_id = ${s}.in_reply_to_account_id)))`;
}

/** What a list takes of a member's post: the conditions over statuses `s`, lists `l`, follows `f`. */
const listTakes = (s: SQL, l: SQL, f: SQL) =>
  sql`${f}.state = 'accepted' and ${s}.visibility in ('public', 'unlisted', 'private')
    and (${s}.reblog_of_id is null or ${f}.show_reblogs)
    and ${inFollowLanguages(f, s)} and ${repliesAllowed(l, s)}`;

/**
 * The insert that writes a status into every list feed holding its author (idempotent); the home
 * fan-out runs it in its own statement (timelines/fanout.ts).
 */
export function listFeedInsert(statusId: string | Placeholder): SQL {
  return sql`
    insert into list_feed (list_id, status_id, reblog_of_id)
    select l.id, s.id, s.reblog_of_id from statuses s
    join list_accounts la on la.account_id = s.account_id
    join lists l on l.id = la.list_id
    join follows f on f.id = la.follow_id
    where s.id = ${statusId} and ${listTakes(sql`s`, sql`l`, sql`f`)}
    on conflict do nothing`;
}

/**
 * For home fan-out: the follower `f` keeps the author `s` in an exclusive list, so the post stays
 * out of their home (it shows in the list).
 */
export function inExclusiveList(f: SQL, s: SQL): SQL {
  return sql`exists (select 1 from list_accounts xa join lists xl on xl.id = xa.list_id
    where xa.account_id = ${s}.account_id and xl.account_id = ${f}.follower_id and xl.exclusive)`;
}

/** New members' latest posts join the list's feed: at most BACKFILL_ON_ADD each. */
export async function backfillListMembers(tx: Tx, listId: string, memberIds: string[]) {
  if (memberIds.length === 0) return;
  await tx.execute(sql`
    insert into list_feed (list_id, status_id, reblog_of_id)
    select l.id, s.id, s.reblog_of_id from list_accounts la
    join lists l on l.id = la.list_id
    join follows f on f.id = la.follow_id
    cross join lateral (select * from statuses ls where ls.account_id = la.account_id
      order by ls.id desc limit ${BACKFILL_ON_ADD}) s
    where la.list_id = ${listId} and la.account_id in (${sql.join(
      memberIds.map((id) => sql`${id}`),
      sql`, `,
    )})
      and ${listTakes(sql`s`, sql`l`, sql`f`)}
    on conflict do nothing`);
}

/** Removed members' posts and boosts leave the list's feed. */
export async function removeMembersFromListFeed(tx: Tx, listId: string, memberIds: string[]) {
  if (memberIds.length === 0) return;
  await tx.execute(sql`
    delete from list_feed lf using statuses s
    where lf.list_id = ${listId} and lf.status_id = s.id and s.account_id in (${sql.join(
      memberIds.map((id) => sql`${id}`),
      sql`, `,
    )})`);
}

/** After an unfollow (the membership went with the follow): the author's rows leave the reader's lists. */
export async function removeFromListFeeds(db: Db, readerId: string, authorId: string) {
  await db.execute(sql`
    delete from list_feed lf using statuses s, lists l
    where lf.status_id = s.id and s.account_id = ${authorId}
      and l.id = lf.list_id and l.account_id = ${readerId}`);
}

/**
 * A list's timeline: one index range scan on list_feed's primary key (list_id, status_id), with
 * blocks and mutes applied to the author and, for a boost, to the boosted post's author.
 */
export async function listTimeline(
  db: Tx,
  ownerId: string,
  listId: string,
  page: Page,
): Promise<StatusBundle[]> {
  const { where, order } = keyset(listFeed.statusId, page);
  const boostedAuthor = sql`(select o.account_id from statuses o where o.id = ${listFeed.reblogOfId})`;
  const ids = db
    .select({ id: sql`${listFeed.statusId}`.as("id") })
    .from(listFeed)
    .innerJoin(statuses, eq(statuses.id, listFeed.statusId))
    .where(
      and(
        eq(listFeed.listId, listId),
        ...where,
        visibleAuthor(ownerId, statuses.accountId),
        sql`(${listFeed.reblogOfId} is null or ${visibleAuthor(ownerId, boostedAuthor)})`,
      ),
    )
    .orderBy(order)
    .limit(pageLimit(page.limit));
  // The page runs inside the statement that loads its bundles (one round trip).
  return loadPageBundles(db, ids.getSQL(), ownerId);
}
