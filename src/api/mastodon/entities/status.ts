import type { Tx } from "../../../db/client.ts";
import type { Visibility } from "../../../db/schema/statuses.ts";
import { type QuoteApproval, quoteApprovalOf } from "../../../services/quotes/policy.ts";
import { quotedBundles, shownQuoteState } from "../../../services/quotes/render.ts";
import { loadBundles } from "../../../services/statuses/load.ts";
import {
  type Status,
  type StatusBundle,
  shownSensitive,
} from "../../../services/statuses/types.ts";
import { marksOfBundles, viewerMarks } from "../../../services/statuses/viewer-marks.ts";
import { type MastodonAccount, serializeAccounts } from "./account.ts";
import { type MastodonCustomEmoji, serializeEmoji } from "./custom-emoji.ts";
import type { MastodonFilterResult } from "./filter.ts";
import { type MastodonMediaAttachment, serializeMedia } from "./media.ts";
import { type MastodonPoll, serializePoll } from "./poll.ts";

/** Mastodon's Status entity (https://docs.joinmastodon.org/entities/Status/). */
export interface MastodonStatus {
  id: string;
  uri: string;
  url: string | null;
  created_at: string;
  edited_at: string | null;
  account: MastodonAccount;
  content: string;
  visibility: Visibility;
  sensitive: boolean;
  spoiler_text: string;
  media_attachments: MastodonMediaAttachment[];
  application: { name: string; website: string | null } | null;
  mentions: { id: string; username: string; url: string; acct: string }[];
  tags: { name: string; url: string }[];
  emojis: MastodonCustomEmoji[];
  reblogs_count: number;
  favourites_count: number;
  replies_count: number;
  /** Mastodon 4.5 quote posts: accepted quotes of this post. */
  quotes_count: number;
  /** What it quotes: a Quote (or, inside a quoted post, a ShallowQuote), or null. */
  quote: MastodonQuote | MastodonShallowQuote | null;
  quote_approval: QuoteApproval;
  in_reply_to_id: string | null;
  in_reply_to_account_id: string | null;
  /** A boost: the boosted status, rendered whole (its own counts and the viewer's flags). */
  reblog: MastodonStatus | null;
  poll: MastodonPoll | null;
  card: null;
  language: string | null;
  /** Only in the answer to a delete (clients redraft from it). */
  text?: string | null;
  favourited: boolean;
  reblogged: boolean;
  muted: boolean;
  bookmarked: boolean;
  /** Only on the viewer's own statuses that could be pinned (as Mastodon: absent otherwise). */
  pinned?: boolean;
  /** The viewer's warn/blur filters this post trips (api/mastodon/filtering.ts fills it). */
  filtered: MastodonFilterResult[];
}

/** Mastodon 4.5's Quote entity: the quoted post only once the quote is accepted. */
export interface MastodonQuote {
  state: string;
  quoted_status: MastodonStatus | null;
}
/** The ShallowQuote a quoted post carries (no further nesting). */
export interface MastodonShallowQuote {
  state: string;
  quoted_status_id: string | null;
}

/**
 * `viewerId`: who asks (their `favourited` and `reblogged` flags are loaded for the whole page in
 * one query each). Boosted statuses (`bundle.reblog`)
 * and accepted quotes' posts are rendered in the same batch.
 */
export async function serializeBundles(
  db: Tx,
  bundles: StatusBundle[],
  publicUrl: string,
  viewerId?: string | null,
): Promise<MastodonStatus[]> {
  const reblogs = bundles.flatMap((b) => (b.reblog ? [b.reblog] : []));
  // Quoted posts (of the page's posts and of the boosted ones) come in the same few queries.
  const quoted = await quotedBundles(db, [...bundles, ...reblogs], viewerId ?? null);
  const all = [...bundles, ...reblogs, ...quoted.values()];
  const people = [...new Map(all.map((b) => [b.account.id, b.account])).values()];
  const ids = all.map((b) => b.status.id);
  const pollIds = all.flatMap((b) => (b.poll ? [b.poll.id] : []));
  // The viewer's favourites, boosts, bookmarks, pins, votes, muted threads and follows of the
  // authors among the page: loaded with the bundles when they were loaded for this viewer, else
  // one statement, whatever the page holds.
  const [serializedAccounts, marks] = await Promise.all([
    serializeAccounts(db, people, publicUrl),
    (viewerId && marksOfBundles(all, viewerId)) ||
      viewerMarks(
        db,
        viewerId,
        ids,
        people.map((p) => p.id),
        pollIds,
      ),
  ]);
  const { favourited, reblogged, followed, viewer, bookmarked, pinned } = marks;
  const { votes: ownVotes, muted: mutedThreads } = marks;
  // Mastodon's `pinnable?`: the viewer's own status, not a boost, not direct.
  const pinnable = (s: Status) =>
    s.accountId === viewerId && !s.reblogOfId && s.visibility !== "direct";
  const serialized = new Map(serializedAccounts.map((a) => [a.id, a]));
  // A post's quote: the Quote with its post embedded, or inside a quoted post a ShallowQuote.
  const quoteOf = (bundle: StatusBundle, shallow: boolean): MastodonStatus["quote"] => {
    const state = shownQuoteState(bundle);
    if (!state || !bundle.quote) return null;
    const quotedId = state === "accepted" ? bundle.quote.quotedStatusId : null;
    if (shallow) return { state, quoted_status_id: quotedId };
    const post = quotedId ? quoted.get(quotedId) : undefined;
    return { state, quoted_status: post ? render(post, true) : null };
  };
  const render = (bundle: StatusBundle, shallow = false): MastodonStatus => {
    const { status, account, mentions, tags, counts, reblog, media } = bundle;
    return {
      id: status.id,
      uri: status.uri,
      url: status.url ?? status.uri,
      created_at: status.createdAt.toISOString(),
      edited_at: status.editedAt?.toISOString() ?? null,
      account: serialized.get(account.id)!,
      content: status.content,
      visibility: status.visibility,
      sensitive: shownSensitive(bundle),
      spoiler_text: status.spoilerText,
      media_attachments: media.map(serializeMedia),
      application: null,
      mentions: mentions.map((m) => ({
        id: m.id,
        username: m.username,
        url: m.url ?? m.uri,
        acct: m.domain ? `${m.username}@${m.domain}` : m.username,
      })),
      tags: tags.map((name) => ({ name, url: `${publicUrl}/tags/${encodeURIComponent(name)}` })),
      emojis: (bundle.emojis ?? []).map(serializeEmoji),
      reblogs_count: counts.reblogs,
      favourites_count: counts.favourites,
      replies_count: counts.replies,
      quotes_count: counts.quotes,
      quote: quoteOf(bundle, shallow),
      quote_approval: quoteApprovalOf(status, account, viewer, followed.has(account.id)),
      in_reply_to_id: status.inReplyToId,
      in_reply_to_account_id: status.inReplyToAccountId,
      reblog: reblog ? render(reblog) : null,
      poll: bundle.poll ? serializePoll(bundle.poll, viewerId, ownVotes.get(bundle.poll.id)) : null,
      card: null,
      language: status.language,
      favourited: favourited.has(status.id),
      reblogged: reblogged.has(status.id),
      muted: mutedThreads.has(status.id),
      bookmarked: bookmarked.has(status.id),
      ...(pinnable(status) ? { pinned: pinned.has(status.id) } : {}),
      filtered: [],
    };
  };
  return bundles.map((b) => render(b));
}

export async function serializeStatuses(
  db: Tx,
  rows: Status[],
  publicUrl: string,
  viewerId?: string | null,
): Promise<MastodonStatus[]> {
  const bundles = await loadBundles(db, rows, viewerId ?? null);
  return serializeBundles(db, bundles, publicUrl, viewerId);
}
