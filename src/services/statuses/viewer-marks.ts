import { sql } from "drizzle-orm";
import { queryRows, type Tx } from "../../db/client.ts";
import { fromJsonRow, idArray, jsonRow } from "../../db/json-row.ts";
import { accounts } from "../../db/schema/index.ts";
import type { Account } from "../accounts/accounts.ts";
import { threadNotMuted } from "./thread-mutes.ts";

/** What a page of statuses shows about the viewer's own dealings with them. */
export interface ViewerMarks {
  favourited: Set<string>;
  reblogged: Set<string>;
  bookmarked: Set<string>;
  pinned: Set<string>;
  /** Statuses in a thread the viewer muted. */
  muted: Set<string>;
  /** Authors the viewer follows (accepted): quote permissions depend on it. */
  followed: Set<string>;
  /** The viewer's chosen options per poll id (`voted`, `own_votes`), sorted. */
  votes: Map<string, number[]>;
  viewer: Account | null;
}

export const NO_MARKS: ViewerMarks = {
  favourited: new Set(),
  reblogged: new Set(),
  bookmarked: new Set(),
  pinned: new Set(),
  muted: new Set(),
  followed: new Set(),
  votes: new Map(),
  viewer: null,
};

interface Row {
  favourited: string[] | null;
  reblogged: string[] | null;
  bookmarked: string[] | null;
  pinned: string[] | null;
  muted: string[] | null;
  followed: string[] | null;
  votes: { poll: string; choice: number }[] | null;
  viewer: Record<string, unknown> | null;
}

/**
 * The viewer's favourites, boosts, bookmarks, pins, muted threads, follows of the authors, poll
 * votes and own account, for a whole page in ONE statement (each part an index probe by the
 * viewer's id; a page used to take eight).
 */
export async function viewerMarks(
  db: Tx,
  viewerId: string | null | undefined,
  statusIds: string[],
  authorIds: string[],
  pollIds: string[],
): Promise<ViewerMarks> {
  if (!viewerId) return NO_MARKS;
  const v = sql`${viewerId}::bigint`;
  const ids = idArray(statusIds);
  const [row] = await queryRows<Row>(
    db,
    sql`select
      (select jsonb_agg(f.status_id::text) from favourites f
        where f.account_id = ${v} and f.status_id = any(${ids})) as favourited,
      (select jsonb_agg(r.reblog_of_id::text) from statuses r
        where r.account_id = ${v} and r.reblog_of_id = any(${ids})) as reblogged,
      (select jsonb_agg(b.status_id::text) from bookmarks b
        where b.account_id = ${v} and b.status_id = any(${ids})) as bookmarked,
      (select jsonb_agg(p.status_id::text) from status_pins p
        where p.account_id = ${v} and p.status_id = any(${ids})) as pinned,
      (select jsonb_agg(t.id::text) from unnest(${ids}) as t(id)
        where not ${threadNotMuted(v, sql`t.id`)}) as muted,
      (select jsonb_agg(fo.following_id::text) from follows fo
        where fo.follower_id = ${v} and fo.following_id = any(${idArray(authorIds)})
          and fo.state = 'accepted') as followed,
      (select jsonb_agg(jsonb_build_object('poll', pv.poll_id::text, 'choice', pv.choice))
        from poll_votes pv where pv.account_id = ${v} and pv.poll_id = any(${idArray(pollIds)})) as votes,
      (select ${jsonRow(accounts, "va")} from accounts va where va.id = ${v}) as viewer`,
  );
  const votes = new Map<string, number[]>();
  for (const { poll, choice } of row.votes ?? [])
    votes.set(poll, [...(votes.get(poll) ?? []), choice]);
  for (const list of votes.values()) list.sort();
  return {
    favourited: new Set(row.favourited ?? []),
    reblogged: new Set(row.reblogged ?? []),
    bookmarked: new Set(row.bookmarked ?? []),
    pinned: new Set(row.pinned ?? []),
    muted: new Set(row.muted ?? []),
    followed: new Set(row.followed ?? []),
    votes,
    viewer: row.viewer ? fromJsonRow<Account>(accounts, row.viewer) : null,
  };
}
