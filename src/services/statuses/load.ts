import { eq, type SQL, sql } from "drizzle-orm";
import { queryValues, type Tx } from "../../db/client.ts";
import { flatColumns, flatWidth, fromFlatValues } from "../../db/flat-row.ts";
import { fromJsonRow, idArray, jsonRow } from "../../db/json-row.ts";
import {
  accountStats,
  accounts,
  mediaAttachments,
  polls,
  quotes,
  statuses,
  statusStats,
} from "../../db/schema/index.ts";
import { notFound } from "../../lib/errors.ts";
import { compareIds } from "../../lib/ids.ts";
import type { Account } from "../accounts/accounts.ts";
import { rememberStats } from "../accounts/stats.ts";
import { emojisFor } from "../emojis/emojis.ts";
import type { Media } from "../media/media.ts";
import type { Poll } from "../polls/polls.ts";
import type { Status, StatusBundle, StatusCounts } from "./types.ts";
import { MARK_COLUMNS, marksColumns, marksOfValues } from "./viewer-marks.ts";

const NO_COUNTS: StatusCounts = { replies: 0, favourites: 0, reblogs: 0, quotes: 0 };

type Json = Record<string, unknown>;

/**
 * A bundle row is an array of values (`queryValues`): first these, then the viewer's marks
 * (`MARK_COLUMNS` of them, when loaded for a viewer), then each of `PARTS`' columns
 * (`db/flat-row.ts`). Lists (mentions, tags, media) come as JSON.
 */
const At = {
  Id: 0,
  /** The roots were passed in already loaded (their rows are not mapped again). */
  Given: 1,
  /** One of the page's own statuses (not only boosted by one). */
  Root: 2,
  Mentions: 3,
  Tags: 4,
  Media: 5,
  Marks: 6,
} as const;
const PARTS = { statuses, accounts, accountStats, statusStats, quotes, polls };
type PartName = keyof typeof PARTS;
const ALIASES: Record<PartName, string> = {
  statuses: "s",
  accounts: "a",
  accountStats: "ast",
  statusStats: "st",
  quotes: "q",
  polls: "p",
};
const partColumns = sql.join(
  Object.entries(PARTS).map(([name, table]) => flatColumns(table, ALIASES[name as PartName])),
  sql`, `,
);

/** Where each part's columns start in a row with `marks` mark columns before them. */
function partOffsets(marks: number): Record<PartName, number> {
  let at = At.Marks + marks;
  const out = {} as Record<PartName, number>;
  for (const [name, table] of Object.entries(PARTS)) {
    out[name as PartName] = at;
    at += flatWidth(table);
  }
  return out;
}
const OFFSETS = { withMarks: partOffsets(MARK_COLUMNS), without: partOffsets(0) };

/**
 * One statement for a page's statuses and what rendering or federating them needs: authors (with
 * their counters), mentioned accounts, tags, counters, quote, media and poll, and the statuses
 * these boost (loaded whole). `roots`: a select of the page's status ids as `id` (a list, or the
 * page query itself, which then runs inside this statement). `given`: the roots are already
 * loaded. `root` narrows the roots (e.g. to what a viewer may see); boosted ones follow.
 * `viewerId`: with that viewer's marks (`favourited`, …) per status.
 */
async function bundleRows(
  db: Tx,
  roots: SQL,
  given: boolean,
  viewerId: string | null,
  root: SQL = sql`true`,
): Promise<unknown[][]> {
  const marks = viewerId ? sql`${marksColumns(viewerId, sql`w.id`)},` : sql``;
  return queryValues(
    db,
    sql`with r as materialized (${roots})
      select s.id::text, w.given, w.root,
        (select json_agg(${jsonRow(accounts, "ma")}) from mentions m
          join accounts ma on ma.id = m.account_id where m.status_id = s.id),
        (select json_agg(t.name) from status_tags t where t.status_id = s.id),
        (select json_agg(${jsonRow(mediaAttachments, "md")} order by md.position, md.id)
          from media_attachments md where md.status_id = s.id),
        ${marks} ${partColumns}
      from (
        select r.id, ${given} as given, true as root from r
        union all
        select distinct b.reblog_of_id, false, false from statuses b
          where b.id = any(array(select id from r)) and b.reblog_of_id is not null
            and not b.reblog_of_id = any(array(select id from r))
      ) w
      join statuses s on s.id = w.id
      join accounts a on a.id = s.account_id
      left join account_stats ast on ast.account_id = a.id
      left join status_stats st on st.status_id = s.id
      left join quotes q on q.status_id = s.id
      left join polls p on p.status_id = s.id
      where not w.root or (${root})`,
  );
}

type Part = Omit<StatusBundle, "reblog"> & { reblogOfId: string | null };

/** Statuses and their parts from `bundleRows` (custom emoji: one more query when any is used). */
async function parts(
  db: Tx,
  rows: unknown[][],
  given: Status[],
  viewerId: string | null,
): Promise<Map<string, Part>> {
  const known = new Map(given.map((s) => [s.id, s]));
  const out = new Map<string, Part>();
  const at = viewerId ? OFFSETS.withMarks : OFFSETS.without;
  for (const r of rows) {
    const status = r[At.Given]
      ? known.get(r[At.Id] as string)
      : fromFlatValues<Status>(statuses, r, at.statuses);
    if (!status) continue;
    const account = fromFlatValues<Account>(accounts, r, at.accounts)!;
    rememberStats(account, fromFlatValues(accountStats, r, at.accountStats, "accountId"));
    const stats = fromFlatValues<StatusStats>(statusStats, r, at.statusStats, "statusId");
    out.set(status.id, {
      status,
      account,
      mentions: ((r[At.Mentions] as Json[] | null) ?? []).map((m) =>
        fromJsonRow<Account>(accounts, m),
      ),
      tags: (r[At.Tags] as string[] | null) ?? [],
      inReplyTo: status.inReplyToId
        ? { id: status.inReplyToId, accountId: status.inReplyToAccountId ?? "" }
        : null,
      counts: stats ? countsOf(stats) : NO_COUNTS,
      quote: fromFlatValues(quotes, r, at.quotes, "id"),
      media: ((r[At.Media] as Json[] | null) ?? []).map((m) =>
        fromJsonRow<Media>(mediaAttachments, m),
      ),
      poll: fromFlatValues<Poll>(polls, r, at.polls, "id"),
      emojis: [],
      marks: viewerId ? marksOfValues(viewerId, r, At.Marks) : undefined,
      reblogOfId: status.reblogOfId,
    });
  }
  // Custom emoji the posts use, looked up among their authors' servers' emoji: one query.
  const all = [...out.values()];
  const emojiLists = await emojisFor(
    db,
    all.map((p) => ({ domain: p.account.domain, texts: [p.status.content, p.status.spoilerText] })),
  );
  all.forEach((p, i) => {
    p.emojis = emojiLists[i];
  });
  return out;
}

type StatusStats = typeof statusStats.$inferSelect;

function countsOf(s: StatusStats): StatusCounts {
  return {
    replies: s.repliesCount,
    favourites: s.favouritesCount,
    reblogs: s.reblogsCount,
    quotes: s.quotesCount,
  };
}

/** The bundles of `roots` (in that order, missing ones left out), each boost with its original. */
function bundlesOf(all: Map<string, Part>, roots: string[]): StatusBundle[] {
  const bundle = ({ reblogOfId: _, ...part }: Part): StatusBundle => part;
  return roots.flatMap((id) => {
    const part = all.get(id);
    if (!part) return [];
    const original = part.reblogOfId ? all.get(part.reblogOfId) : undefined;
    return [
      { ...bundle(part), reblog: part.reblogOfId ? (original ? bundle(original) : null) : null },
    ];
  });
}

/**
 * Loads statuses with their authors, mentions, tags, counters, quotes, media and polls in one
 * statement whatever the count (plus one for custom emoji when the texts use any); a boost's
 * bundle carries the boosted status as `reblog`, loaded in the same statement.
 */
export async function loadBundles(
  db: Tx,
  page: Status[],
  viewerId: string | null = null,
): Promise<StatusBundle[]> {
  if (page.length === 0) return [];
  const ids = [...new Set(page.map((s) => s.id))];
  const rows = await bundleRows(db, listed(ids), true, viewerId);
  const all = await parts(db, rows, page, viewerId);
  return bundlesOf(
    all,
    page.map((s) => s.id),
  );
}

/**
 * The same for statuses known by id, loaded in the same statement; `root` narrows which of them
 * are loaded (a condition on `s`, the status), e.g. to those a viewer may see. Keeps `ids`' order.
 */
export async function loadBundlesByIds(
  db: Tx,
  ids: string[],
  root?: SQL,
  viewerId: string | null = null,
): Promise<StatusBundle[]> {
  if (ids.length === 0) return [];
  const unique = [...new Set(ids)];
  const rows = await bundleRows(db, listed(unique), false, viewerId, root);
  return bundlesOf(await parts(db, rows, [], viewerId), unique);
}

/**
 * A page of statuses and their bundles in one statement: `page` selects the page's status ids
 * (as `id`, with its own order and limit) and runs inside the bundle statement, so a timeline
 * costs one round trip and its statuses cross the wire once. Newest first (id order, as the
 * timelines page).
 */
export async function loadPageBundles(
  db: Tx,
  page: SQL,
  viewerId: string | null = null,
): Promise<StatusBundle[]> {
  const rows = await bundleRows(db, page, false, viewerId);
  const roots = rows.filter((r) => r[At.Root]).map((r) => r[At.Id] as string);
  roots.sort((a, b) => compareIds(b, a));
  return bundlesOf(await parts(db, rows, [], viewerId), roots);
}

const listed = (ids: string[]) => sql`select unnest(${idArray(ids)}) as id`;

export async function loadBundle(db: Tx, id: string): Promise<StatusBundle> {
  const [row] = await db.select().from(statuses).where(eq(statuses.id, id));
  if (!row) throw notFound();
  return (await loadBundles(db, [row]))[0];
}
