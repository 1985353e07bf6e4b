import { and, eq, inArray } from "drizzle-orm";
import type { Db, Tx } from "../../db/client.ts";
import { type PollOption, polls, pollVotes, statuses } from "../../db/schema/index.ts";
import { AppError, notFound } from "../../lib/errors.ts";
import { newId } from "../../lib/ids.ts";
import type { Account } from "../accounts/accounts.ts";
import { enqueueJob, enqueueJobAt } from "../jobs.ts";
import { canView } from "../statuses/visibility.ts";

export type Poll = typeof polls.$inferSelect;

/** Mastodon's limits (its instance `configuration.polls`), which clients read and obey. */
export const POLL_LIMITS = {
  maxOptions: 4,
  maxCharactersPerOption: 50,
  minExpiration: 300,
  maxExpiration: 2_629_746,
} as const;

export interface PollInput {
  options: string[];
  /** Seconds from now. */
  expiresIn: number;
  multiple: boolean;
  hideTotals: boolean;
}

const invalid = (why: string) => new AppError(422, `Validation failed: ${why}`);

/** The rules of a new or edited poll; a 422 saying which one fails. */
export function checkPoll(input: PollInput): void {
  const { maxOptions, maxCharactersPerOption, minExpiration, maxExpiration } = POLL_LIMITS;
  if (input.options.length < 2) throw invalid("Poll must have at least 2 options");
  if (input.options.length > maxOptions)
    throw invalid(`Poll can't contain more than ${maxOptions} options`);
  if (input.options.some((o) => o.trim() === "")) throw invalid("Poll options can't be blank");
  if (input.options.some((o) => [...o].length > maxCharactersPerOption))
    throw invalid(`Poll options can't be longer than ${maxCharactersPerOption} characters`);
  if (new Set(input.options.map((o) => o.trim())).size !== input.options.length)
    throw invalid("Poll contains duplicate options");
  if (!Number.isInteger(input.expiresIn) || input.expiresIn < minExpiration)
    throw invalid(`Poll duration must be at least ${minExpiration} seconds`);
  if (input.expiresIn > maxExpiration)
    throw invalid(`Poll duration can't be longer than ${maxExpiration} seconds`);
}

const freshOptions = (titles: string[]): PollOption[] =>
  titles.map((title) => ({ title: title.trim(), votesCount: 0 }));

/** A local post's poll, in the post's transaction; its end is queued for `expires_at`. */
export async function createPoll(
  tx: Tx,
  status: { id: string; accountId: string },
  input: PollInput,
): Promise<void> {
  const id = newId();
  const expiresAt = new Date(Date.now() + input.expiresIn * 1000);
  await tx.insert(polls).values({
    id,
    statusId: status.id,
    accountId: status.accountId,
    options: freshOptions(input.options),
    multiple: input.multiple,
    hideTotals: input.hideTotals,
    expiresAt,
    votersCount: 0,
  });
  await enqueueJobAt(tx, { type: "poll.close", pollId: id }, expiresAt);
}

/**
 * An edit's poll, as Mastodon's: a poll given replaces the old one's options and end (votes are
 * reset when the options or `multiple` change), none given removes it. True when something
 * changed (every edit that carries a poll does: its end moves).
 */
export async function editPoll(
  tx: Tx,
  status: { id: string; accountId: string },
  input: PollInput | undefined,
): Promise<boolean> {
  const [existing] = await tx
    .select()
    .from(polls)
    .where(eq(polls.statusId, status.id))
    .for("update");
  if (!input) {
    if (!existing) return false;
    await tx.delete(polls).where(eq(polls.id, existing.id));
    return true;
  }
  if (!existing) {
    await createPoll(tx, status, input);
    return true;
  }
  const titles = input.options.map((o) => o.trim());
  const reset =
    existing.multiple !== input.multiple ||
    titles.join("\u0000") !== existing.options.map((o) => o.title).join("\u0000");
  const expiresAt = new Date(Date.now() + input.expiresIn * 1000);
  await tx
    .update(polls)
    .set({
      multiple: input.multiple,
      hideTotals: input.hideTotals,
      expiresAt,
      closedAt: null,
      updatedAt: new Date(),
      ...(reset ? { options: freshOptions(titles), votesCount: 0, votersCount: 0 } : {}),
    })
    .where(eq(polls.id, existing.id));
  if (reset) await tx.delete(pollVotes).where(eq(pollVotes.pollId, existing.id));
  // The earlier end's job finds the poll not yet due and does nothing.
  await enqueueJobAt(tx, { type: "poll.close", pollId: existing.id }, expiresAt);
  return true;
}

export const pollEnded = (poll: Poll, now = new Date()) =>
  poll.closedAt !== null || (poll.expiresAt !== null && poll.expiresAt <= now);

/**
 * `POST /api/v1/polls/:id/votes`. In one transaction with the poll locked: the checks, the vote
 * rows, the counters; then, after commit, the vote goes to a remote poll's server, or a local
 * poll's new counts to the servers that show it.
 */
export async function voteInPoll(
  db: Db,
  voter: Account,
  pollId: string,
  choices: number[],
): Promise<void> {
  await db.transaction(async (tx) => {
    const [row] = await tx
      .select({ poll: polls, status: statuses })
      .from(polls)
      .innerJoin(statuses, eq(statuses.id, polls.statusId))
      .where(eq(polls.id, pollId))
      .for("update", { of: polls });
    if (!row || !(await canView(tx, row.status, voter.id))) throw notFound();
    const { poll, status } = row;
    if (poll.accountId === voter.id) throw invalid("You cannot vote in your own poll");
    if (pollEnded(poll)) throw invalid("The poll has already ended");
    const picked = [...new Set(choices)];
    if (picked.length === 0) throw invalid("choices must not be empty");
    if (picked.some((c) => !Number.isInteger(c) || c < 0 || c >= poll.options.length))
      throw invalid("choices must be indexes of the poll's options");
    if (!poll.multiple && picked.length > 1) throw invalid("This poll allows only one choice");
    const [earlier] = await tx
      .select({ id: pollVotes.id })
      .from(pollVotes)
      .where(and(eq(pollVotes.pollId, poll.id), eq(pollVotes.accountId, voter.id)))
      .limit(1);
    if (earlier) throw invalid("You have already voted on this poll");
    await tx.insert(pollVotes).values(
      picked.map((choice) => {
        const id = newId();
        // Our vote's Note id (Mastodon's shape), sent to a remote poll's server.
        return {
          id,
          pollId: poll.id,
          accountId: voter.id,
          choice,
          uri: `${voter.uri}#votes/${id}`,
        };
      }),
    );
    await countVotes(tx, poll, picked, true);
    await enqueueJob(
      tx,
      status.local
        ? { type: "poll.updated", pollId: poll.id }
        : { type: "poll.voted", pollId: poll.id, accountId: voter.id },
    );
  });
}

/** Adds votes to a locked poll's counters; `newVoter`: one more distinct voter. */
export async function countVotes(
  tx: Tx,
  poll: Poll,
  choices: number[],
  newVoter: boolean,
): Promise<void> {
  const options = poll.options.map((o, i) =>
    choices.includes(i) ? { ...o, votesCount: o.votesCount + 1 } : o,
  );
  await tx
    .update(polls)
    .set({
      options,
      votesCount: poll.votesCount + choices.length,
      votersCount: (poll.votersCount ?? 0) + (newVoter ? 1 : 0),
      updatedAt: new Date(),
    })
    .where(eq(polls.id, poll.id));
}

/** A poll by id as `viewerId` may see it (the visibility of its status), or 404. */
export async function visiblePoll(
  db: Tx,
  pollId: string,
  viewerId: string | null,
): Promise<{ poll: Poll; statusId: string }> {
  const [row] = await db
    .select({ poll: polls, status: statuses })
    .from(polls)
    .innerJoin(statuses, eq(statuses.id, polls.statusId))
    .where(eq(polls.id, pollId));
  if (!row || !(await canView(db, row.status, viewerId))) throw notFound();
  return { poll: row.poll, statusId: row.status.id };
}

/** The viewer's chosen options in each of `pollIds` (`voted`, `own_votes`): one query. */
export async function ownVotesAmong(
  db: Tx,
  viewerId: string,
  pollIds: string[],
): Promise<Map<string, number[]>> {
  if (pollIds.length === 0) return new Map();
  const rows = await db
    .select({ pollId: pollVotes.pollId, choice: pollVotes.choice })
    .from(pollVotes)
    .where(and(eq(pollVotes.accountId, viewerId), inArray(pollVotes.pollId, pollIds)));
  const out = new Map<string, number[]>();
  for (const r of rows) out.set(r.pollId, [...(out.get(r.pollId) ?? []), r.choice].sort());
  return out;
}
