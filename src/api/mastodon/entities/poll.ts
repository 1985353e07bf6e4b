import type { Poll } from "../../../services/polls/polls.ts";
import { pollEnded } from "../../../services/polls/polls.ts";

/** Mastodon's Poll entity (https://docs.joinmastodon.org/entities/Poll/). */
export interface MastodonPoll {
  id: string;
  expires_at: string | null;
  expired: boolean;
  multiple: boolean;
  votes_count: number;
  voters_count: number | null;
  options: { title: string; votes_count: number | null }[];
  emojis: never[];
  /** Only for a signed-in viewer, as Mastodon. */
  voted?: boolean;
  own_votes?: number[];
}

/**
 * `ownVotes`: the viewer's choices (undefined when nobody is signed in). Totals of a poll that
 * hides them are null until it ends, except for its author.
 */
export function serializePoll(
  poll: Poll,
  viewerId: string | null | undefined,
  ownVotes: number[] | undefined,
): MastodonPoll {
  const expired = pollEnded(poll);
  const hidden = poll.hideTotals && !expired && viewerId !== poll.accountId;
  return {
    id: poll.id,
    expires_at: poll.expiresAt?.toISOString() ?? null,
    expired,
    multiple: poll.multiple,
    votes_count: poll.votesCount,
    voters_count: poll.votersCount,
    options: poll.options.map((o) => ({
      title: o.title,
      votes_count: hidden ? null : o.votesCount,
    })),
    emojis: [],
    ...(viewerId
      ? {
          voted: viewerId === poll.accountId || (ownVotes?.length ?? 0) > 0,
          own_votes: ownVotes ?? [],
        }
      : {}),
  };
}
