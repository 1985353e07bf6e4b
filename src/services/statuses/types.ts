import type { mentions, quotes, statuses } from "../../db/schema/index.ts";
import type { Account } from "../accounts/accounts.ts";
import type { CustomEmoji } from "../emojis/emojis.ts";
import type { Media } from "../media/media.ts";
import type { Poll } from "../polls/polls.ts";

export type Status = typeof statuses.$inferSelect;
export type Mention = typeof mentions.$inferSelect;

/** A status with what it takes to show or federate it. */
export interface StatusBundle {
  status: Status;
  account: Account;
  mentions: Account[];
  tags: string[];
  inReplyTo: { id: string; accountId: string } | null;
  /** Its counters (`status_stats`), all zero when it has none yet. */
  counts: StatusCounts;
  /** The post it quotes (FEP-044f), with the quote's state; null when it quotes nothing. */
  quote?: typeof quotes.$inferSelect | null;
  /** For a boost, the boosted status (loaded in the same batch); null otherwise. */
  reblog?: StatusBundle | null;
  /** Its media attachments, in order. */
  media: Media[];
  /** Its poll (a `Question`), if it has one. */
  poll?: Poll | null;
  /** Custom emoji its content and content warning use (of its author's server). */
  emojis?: CustomEmoji[];
  /** The viewer's own dealings with it, when it was loaded for a viewer (`marksColumns`). */
  marks?: StatusMarks;
}

/** One status's `favourited`, `reblogged`, … for the viewer it was loaded for. */
export interface StatusMarks {
  viewerId: string;
  /** The viewer's actor id (quote permissions), null when the account is gone. */
  viewerUri: string | null;
  favourited: boolean;
  reblogged: boolean;
  bookmarked: boolean;
  pinned: boolean;
  /** In a thread the viewer muted. */
  muted: boolean;
  /** The viewer follows its author (accepted). */
  followsAuthor: boolean;
  /** The viewer's chosen options of its poll, sorted. */
  votes: number[];
}

export interface StatusCounts {
  replies: number;
  favourites: number;
  reblogs: number;
  quotes: number;
}

/**
 * Whether a post shows as sensitive: as stored, or forced when the moderators marked its
 * author's media sensitive (`sensitized_at`, on the author row the bundle already holds).
 */
export const shownSensitive = (bundle: Pick<StatusBundle, "status" | "account" | "media">) =>
  bundle.status.sensitive || (bundle.account.sensitizedAt !== null && bundle.media.length > 0);
