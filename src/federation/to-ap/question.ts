import { Collection, Create, Note, Question } from "@fedify/vocab";
import { Temporal } from "@js-temporal/polyfill";
import type { Poll } from "../../services/polls/polls.ts";
import { pollEnded } from "../../services/polls/polls.ts";

export { Question };

/**
 * A poll's part of its status's `Question`, as Mastodon writes it: `oneOf` (single choice) or
 * `anyOf` (multiple), each option a Note with `name` and `replies.totalItems` (its votes),
 * `endTime`, `closed` once ended, and `votersCount` (toot:).
 */
export function questionValues(poll: Poll) {
  const options = poll.options.map(
    (o) =>
      new Note({
        name: o.title,
        replies: new Collection({ totalItems: o.votesCount }),
      }),
  );
  const end = poll.expiresAt
    ? Temporal.Instant.fromEpochMilliseconds(poll.expiresAt.getTime())
    : null;
  const closedAt = poll.closedAt ?? (pollEnded(poll) ? poll.expiresAt : null);
  return {
    ...(poll.multiple ? { inclusiveOptions: options } : { exclusiveOptions: options }),
    endTime: end,
    closed: closedAt ? Temporal.Instant.fromEpochMilliseconds(closedAt.getTime()) : null,
    voters: poll.votersCount ?? 0,
  };
}

export interface VoteFacts {
  /** The vote's id (poll_votes.uri). */
  uri: string;
  voterUri: string;
  questionUri: string;
  authorUri: string;
  title: string;
}

/**
 * A vote on a remote poll, as Mastodon sends it: `Create` of a Note with the option as `name`,
 * no content, in reply to the Question, addressed to the poll's author only.
 */
export function voteActivity(facts: VoteFacts): Create {
  const note = new Note({
    id: new URL(facts.uri),
    attribution: new URL(facts.voterUri),
    to: new URL(facts.authorUri),
    name: facts.title,
    replyTarget: new URL(facts.questionUri),
  });
  return new Create({
    id: new URL(`${facts.uri}/activity`),
    actor: new URL(facts.voterUri),
    to: new URL(facts.authorUri),
    object: note,
  });
}
