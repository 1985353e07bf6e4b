import { eq, inArray } from "drizzle-orm";
import type { Tx } from "../../db/client.ts";
import {
  accounts,
  mentions,
  quotes,
  statuses,
  statusStats,
  statusTags,
} from "../../db/schema/index.ts";
import { notFound } from "../../lib/errors.ts";
import type { Account } from "../accounts/accounts.ts";
import { emojisFor } from "../emojis/emojis.ts";
import { mediaOfStatuses } from "../media/attach.ts";
import { pollsOfStatuses } from "../polls/polls.ts";
import type { Status, StatusBundle, StatusCounts } from "./types.ts";

const NO_COUNTS: StatusCounts = { replies: 0, favourites: 0, reblogs: 0, quotes: 0 };

/**
 * Loads statuses with their authors, mentions, tags and counters in five queries, whatever the
 * count; a page holding boosts takes one more, for the boosted statuses, which then come with
 * the same five (a boost's bundle carries the boosted one as `reblog`).
 */
export async function loadBundles(db: Tx, page: Status[]): Promise<StatusBundle[]> {
  if (page.length === 0) return [];
  const reblogIds = [...new Set(page.flatMap((s) => (s.reblogOfId ? [s.reblogOfId] : [])))];
  const originals = reblogIds.length
    ? await db.select().from(statuses).where(inArray(statuses.id, reblogIds))
    : [];
  const rows = [...page, ...originals];
  const ids = rows.map((s) => s.id);
  const accountIds = [...new Set(rows.map((s) => s.accountId))];
  const [authors, mentioned, tags, stats, quoteRows, media, pollOf] = await Promise.all([
    db.select().from(accounts).where(inArray(accounts.id, accountIds)),
    db
      .select({ statusId: mentions.statusId, account: accounts })
      .from(mentions)
      .innerJoin(accounts, eq(accounts.id, mentions.accountId))
      .where(inArray(mentions.statusId, ids)),
    db.select().from(statusTags).where(inArray(statusTags.statusId, ids)),
    db.select().from(statusStats).where(inArray(statusStats.statusId, ids)),
    db.select().from(quotes).where(inArray(quotes.statusId, ids)),
    mediaOfStatuses(db, ids),
    pollsOfStatuses(db, ids),
  ]);
  const quoteOf = new Map(quoteRows.map((q) => [q.statusId, q]));
  const countsOf = new Map(
    stats.map((r) => [
      r.statusId,
      {
        replies: r.repliesCount,
        favourites: r.favouritesCount,
        reblogs: r.reblogsCount,
        quotes: r.quotesCount,
      },
    ]),
  );
  const byId = new Map(authors.map((a) => [a.id, a]));
  // Custom emoji the posts use, looked up among their authors' servers' emoji: one query.
  const emojiLists = await emojisFor(
    db,
    rows.map((s) => ({
      domain: byId.get(s.accountId)?.domain ?? null,
      texts: [s.content, s.spoilerText],
    })),
  );
  const emojisOf = new Map(rows.map((s, i) => [s.id, emojiLists[i]]));
  const mentionsOf = new Map<string, Account[]>();
  for (const m of mentioned)
    mentionsOf.set(m.statusId, [...(mentionsOf.get(m.statusId) ?? []), m.account]);
  const tagsOf = new Map<string, string[]>();
  for (const t of tags) tagsOf.set(t.statusId, [...(tagsOf.get(t.statusId) ?? []), t.name]);
  const bundleOf = (status: Status): StatusBundle => ({
    status,
    account: byId.get(status.accountId)!,
    mentions: mentionsOf.get(status.id) ?? [],
    tags: tagsOf.get(status.id) ?? [],
    inReplyTo: status.inReplyToId
      ? { id: status.inReplyToId, accountId: status.inReplyToAccountId ?? "" }
      : null,
    counts: countsOf.get(status.id) ?? NO_COUNTS,
    quote: quoteOf.get(status.id) ?? null,
    media: media.get(status.id) ?? [],
    poll: pollOf.get(status.id) ?? null,
    emojis: emojisOf.get(status.id) ?? [],
  });
  const boosted = new Map(originals.map((o) => [o.id, bundleOf(o)]));
  return page.map((status) => ({
    ...bundleOf(status),
    reblog: status.reblogOfId ? (boosted.get(status.reblogOfId) ?? null) : null,
  }));
}

export async function loadBundle(db: Tx, id: string): Promise<StatusBundle> {
  const [row] = await db.select().from(statuses).where(eq(statuses.id, id));
  if (!row) throw notFound();
  return (await loadBundles(db, [row]))[0];
}
