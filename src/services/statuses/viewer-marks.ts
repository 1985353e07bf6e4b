import { type SQL, sql } from "drizzle-orm";
import { queryRows, type Tx } from "../../db/client.ts";
import { fromJsonRow, idArray, jsonRow } from "../../db/json-row.ts";
import { accounts } from "../../db/schema/index.ts";
import type { Account } from "../accounts/accounts.ts";
import { threadNotMuted } from "./thread-mutes.ts";
import type { StatusBundle, StatusMarks } from "./types.ts";

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
  /** What quote permissions need of the viewer (null: nobody signed in, or the account is gone). */
  viewer: Pick<Account, "id" | "uri"> | null;
}

/** Marks with nothing marked yet (fresh sets: callers may fill them). */
const emptyMarks = (): ViewerMarks => ({
  favourited: new Set(),
  reblogged: new Set(),
  bookmarked: new Set(),
  pinned: new Set(),
  muted: new Set(),
  followed: new Set(),
  votes: new Map(),
  viewer: null,
});

export const NO_MARKS: ViewerMarks = emptyMarks();

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

/**
 * The same marks as columns of the bundle statement (`statuses/load.ts`), one set per status:
 * `s` the status, `p` its poll, `statusId` its id (not `s.id`: the thread walk names its own
 * `s`). Each column an index probe by the viewer's id; the page saves a statement.
 */
export function marksColumns(viewerId: string, statusId: SQL): SQL {
  const v = sql`${viewerId}::bigint`;
  return sql`exists (select 1 from favourites f where f.account_id = ${v} and f.status_id = s.id) as vm_favourited,
    exists (select 1 from statuses r where r.account_id = ${v} and r.reblog_of_id = s.id) as vm_reblogged,
    exists (select 1 from bookmarks b where b.account_id = ${v} and b.status_id = s.id) as vm_bookmarked,
    exists (select 1 from status_pins sp where sp.account_id = ${v} and sp.status_id = s.id) as vm_pinned,
    not ${threadNotMuted(v, statusId)} as vm_muted,
    exists (select 1 from follows fo where fo.follower_id = ${v} and fo.following_id = s.account_id
      and fo.state = 'accepted') as vm_followed,
    (select json_agg(pv.choice order by pv.choice) from poll_votes pv
      where pv.account_id = ${v} and pv.poll_id = p.id) as vm_votes,
    (select va.uri from accounts va where va.id = ${v}) as vm_viewer_uri`;
}

/** How many values `marksColumns` puts in a row. */
export const MARK_COLUMNS = 8;

/** One bundle row's marks: the `MARK_COLUMNS` values of `marksColumns` at `offset` of `values`. */
export function marksOfValues(
  viewerId: string,
  values: readonly unknown[],
  offset: number,
): StatusMarks {
  const [favourited, reblogged, bookmarked, pinned, muted, followed, votes, viewerUri] =
    values.slice(offset, offset + MARK_COLUMNS);
  return {
    viewerId,
    viewerUri: (viewerUri as string | null) ?? null,
    favourited: favourited === true,
    reblogged: reblogged === true,
    bookmarked: bookmarked === true,
    pinned: pinned === true,
    muted: muted === true,
    followsAuthor: followed === true,
    votes: (votes as number[] | null) ?? [],
  };
}

/**
 * The page's marks from its bundles when every one was loaded with this viewer's marks, else
 * null (the caller asks `viewerMarks`).
 */
export function marksOfBundles(bundles: StatusBundle[], viewerId: string): ViewerMarks | null {
  if (!bundles.every((b) => b.marks?.viewerId === viewerId)) return null;
  const marks = emptyMarks();
  for (const { status, marks: m, poll } of bundles) {
    if (!m) continue;
    if (m.viewerUri) marks.viewer = { id: viewerId, uri: m.viewerUri };
    if (m.favourited) marks.favourited.add(status.id);
    if (m.reblogged) marks.reblogged.add(status.id);
    if (m.bookmarked) marks.bookmarked.add(status.id);
    if (m.pinned) marks.pinned.add(status.id);
    if (m.muted) marks.muted.add(status.id);
    if (m.followsAuthor) marks.followed.add(status.accountId);
    if (poll && m.votes.length > 0) marks.votes.set(poll.id, m.votes);
  }
  return marks;
}
