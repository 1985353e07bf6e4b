/**
 * Reading reach analytics for one account or one post: constant queries whatever the number of
 * posts or deliveries (growth and reach are pre-aggregated; interactions come from counters).
 * Only counts leave here, never who: a followers-only post's recipients are not listed.
 */
import { and, desc, eq, gte, inArray, isNull, sql } from "drizzle-orm";
import type { Db } from "../../db/client.ts";
import {
  accountStats,
  accounts,
  favourites,
  followerDaily,
  statuses,
  statusReach,
  statusStats,
} from "../../db/schema/index.ts";
import { notFound } from "../../lib/errors.ts";
import { htmlToPlainText } from "../../lib/html.ts";
import { hiddenAuthors } from "../safety/hidden-authors.ts";
import { loadBundles } from "../statuses/load.ts";
import type { StatusBundle } from "../statuses/types.ts";
import { visibleOnly } from "../statuses/visibility.ts";
import { mayReadAnalytics, roleOn } from "../teams/access.ts";

/** Throws 404 (never 403: the account's existence is not revealed) unless `loginId` may read. */
export async function assertMayRead(db: Db, loginId: string, accountId: string) {
  if (!mayReadAnalytics(await roleOn(db, loginId, accountId))) throw notFound();
}

export interface GrowthDay {
  day: string;
  gained: number;
  lost: number;
}

/** Gains and losses per day over the last `days` days (days without changes left out). */
export async function followerGrowth(
  db: Db,
  accountId: string,
  days: number,
): Promise<GrowthDay[]> {
  const since = new Date(Date.now() - (days - 1) * 86_400_000).toISOString().slice(0, 10);
  return db
    .select({
      day: followerDaily.day,
      gained: sql<number>`sum(${followerDaily.gained})::int`,
      lost: sql<number>`sum(${followerDaily.lost})::int`,
    })
    .from(followerDaily)
    .where(and(eq(followerDaily.accountId, accountId), gte(followerDaily.day, since)))
    .groupBy(followerDaily.day)
    .orderBy(followerDaily.day);
}

export async function accountSummary(db: Db, accountId: string, days: number) {
  const [account] = await db
    .select({ id: accounts.id, followers: accountStats.followersCount })
    .from(accounts)
    .leftJoin(accountStats, eq(accountStats.accountId, accounts.id))
    .where(and(eq(accounts.id, accountId), isNull(accounts.domain)))
    .limit(1);
  if (!account) throw notFound();
  const growth = await followerGrowth(db, accountId, days);
  const since = new Date(Date.now() - (days - 1) * 86_400_000).toISOString().slice(0, 10);
  const byServer = await db
    .select({
      domain: followerDaily.domain,
      gained: sql<number>`sum(${followerDaily.gained})::int`,
      lost: sql<number>`sum(${followerDaily.lost})::int`,
    })
    .from(followerDaily)
    .where(and(eq(followerDaily.accountId, accountId), gte(followerDaily.day, since)))
    .groupBy(followerDaily.domain)
    .orderBy(desc(sql`sum(${followerDaily.gained})`), followerDaily.domain)
    .limit(20);
  const [reach] = await db
    .select({
      statuses: sql<number>`count(*)::int`,
      servers: sql<number>`coalesce(sum(${statusReach.serversReached}), 0)::int`,
      followers: sql<number>`coalesce(sum(${statusReach.followersReached}), 0)::int`,
      failed: sql<number>`coalesce(sum(${statusReach.deliveriesFailed}), 0)::int`,
    })
    .from(statusReach)
    .where(eq(statusReach.accountId, accountId));
  const [stats] = await db
    .select({
      replies: sql<number>`coalesce(sum(${statusStats.repliesCount}), 0)::int`,
      favourites: sql<number>`coalesce(sum(${statusStats.favouritesCount}), 0)::int`,
      reblogs: sql<number>`coalesce(sum(${statusStats.reblogsCount}), 0)::int`,
      quotes: sql<number>`coalesce(sum(${statusStats.quotesCount}), 0)::int`,
    })
    .from(statusStats)
    .innerJoin(statuses, eq(statuses.id, statusStats.statusId))
    .where(eq(statuses.accountId, accountId));
  return {
    account_id: accountId,
    followers_count: account.followers ?? 0,
    followers_gained: growth.reduce((n, g) => n + g.gained, 0),
    followers_lost: growth.reduce((n, g) => n + g.lost, 0),
    growth,
    by_server: byServer,
    reach: {
      statuses: reach?.statuses ?? 0,
      servers_reached: reach?.servers ?? 0,
      followers_reached: reach?.followers ?? 0,
      deliveries_failed: reach?.failed ?? 0,
    },
    interactions: stats ?? { replies: 0, favourites: 0, reblogs: 0, quotes: 0 },
  };
}

/** The author of a local, original status (404 for anything else). */
export async function statusAuthor(db: Db, statusId: string): Promise<string> {
  const [row] = await db
    .select({ accountId: statuses.accountId })
    .from(statuses)
    .where(and(eq(statuses.id, statusId), eq(statuses.local, true), isNull(statuses.reblogOfId)))
    .limit(1);
  if (!row) throw notFound();
  return row.accountId;
}

export async function statusSummary(db: Db, statusId: string) {
  const [row] = await db
    .select({ reach: statusReach, stats: statusStats })
    .from(statuses)
    .leftJoin(statusReach, eq(statusReach.statusId, statuses.id))
    .leftJoin(statusStats, eq(statusStats.statusId, statuses.id))
    .where(eq(statuses.id, statusId))
    .limit(1);
  // Interactions grouped by the interacting account's server ('' for local accounts): three
  // grouped branches, one statement, at most 50 servers.
  const byServer = (await db.execute(sql`
    select domain, sum(f)::int as favourites, sum(r)::int as reblogs, sum(p)::int as replies from (
      select coalesce(a.domain, '') as domain, 1 as f, 0 as r, 0 as p
        from ${favourites} x join ${accounts} a on a.id = x.account_id where x.status_id = ${statusId}
      union all
      select coalesce(a.domain, ''), 0, 1, 0
        from ${statuses} x join ${accounts} a on a.id = x.account_id where x.reblog_of_id = ${statusId}
      union all
      select coalesce(a.domain, ''), 0, 0, 1
        from ${statuses} x join ${accounts} a on a.id = x.account_id where x.in_reply_to_id = ${statusId}
    ) t group by domain order by sum(f) + sum(r) + sum(p) desc, domain limit 50
  `)) as unknown as { rows?: ByServer[] } | ByServer[];
  const rows = Array.isArray(byServer) ? byServer : (byServer.rows ?? []);
  return {
    status_id: statusId,
    servers_reached: row?.reach?.serversReached ?? 0,
    followers_reached: row?.reach?.followersReached ?? 0,
    deliveries_failed: row?.reach?.deliveriesFailed ?? 0,
    deliveries_pending: row?.reach?.deliveriesPending ?? 0,
    replies_count: row?.stats?.repliesCount ?? 0,
    favourites_count: row?.stats?.favouritesCount ?? 0,
    reblogs_count: row?.stats?.reblogsCount ?? 0,
    quotes_count: row?.stats?.quotesCount ?? 0,
    by_server: rows.map((r) => ({
      domain: r.domain,
      favourites: Number(r.favourites),
      reblogs: Number(r.reblogs),
      replies: Number(r.replies),
    })),
  };
}

interface ByServer {
  domain: string;
  favourites: number;
  reblogs: number;
  replies: number;
}

/**
 * An account's posts with the most interactions (favourites + reblogs + replies, from the
 * counters), newest first on a tie. One statement; `limit` at most 40.
 */
export async function topStatuses(db: Db, accountId: string, limit: number) {
  const score = sql`(${statusStats.favouritesCount} + ${statusStats.reblogsCount} + ${statusStats.repliesCount})`;
  const rows = await db
    .select({ status: statuses, stats: statusStats, reach: statusReach })
    .from(statusStats)
    .innerJoin(statuses, eq(statuses.id, statusStats.statusId))
    .leftJoin(statusReach, eq(statusReach.statusId, statuses.id))
    .where(and(eq(statuses.accountId, accountId), isNull(statuses.reblogOfId)))
    .orderBy(desc(score), desc(statuses.id))
    .limit(limit);
  return rows.map(({ status, stats, reach }) => ({
    status_id: status.id,
    created_at: status.createdAt.toISOString(),
    excerpt: htmlToPlainText(status.content).slice(0, 100),
    replies_count: stats.repliesCount,
    favourites_count: stats.favouritesCount,
    reblogs_count: stats.reblogsCount,
    quotes_count: stats.quotesCount,
    followers_reached: reach?.followersReached ?? 0,
  }));
}

/**
 * The newest public and unlisted direct replies to a status, as `viewerId` may see them (blocks,
 * mutes and hidden authors left out): the conversation itself, which the counts above only
 * summarize. A followers-only or direct reply is never listed, only counted. One page of rows,
 * whatever the thread's size.
 */
export async function publicRepliesTo(
  db: Db,
  statusId: string,
  viewerId: string,
  limit: number,
): Promise<StatusBundle[]> {
  const rows = await db
    .select()
    .from(statuses)
    .where(
      and(eq(statuses.inReplyToId, statusId), inArray(statuses.visibility, ["public", "unlisted"])),
    )
    .orderBy(desc(statuses.id))
    .limit(limit);
  const hidden = await hiddenAuthors(
    db,
    viewerId,
    rows.map((r) => r.accountId),
    "all",
  );
  const shown = await visibleOnly(
    db,
    rows.filter((r) => !hidden.has(r.accountId)),
    viewerId,
  );
  return loadBundles(db, shown);
}
