import { and, eq } from "drizzle-orm";
import type { Db, Tx } from "../../db/client.ts";
import { type PollOption, polls, pollVotes, statuses } from "../../db/schema/index.ts";
import { newId } from "../../lib/ids.ts";
import { enqueueJob, enqueueJobAt } from "../jobs.ts";
import { canView } from "../statuses/visibility.ts";
import { countVotes, pollEnded } from "./polls.ts";

/** A remote `Question`'s poll, already read and capped by federation/from-ap. */
export interface RemotePollData {
  options: PollOption[];
  multiple: boolean;
  expiresAt: Date | null;
  closed: boolean;
  votersCount: number | null;
}

/**
 * Stores or refreshes the poll of a remote post, in the post's transaction: the remote server's
 * counts are the truth (an `Update(Question)` brings them). Options renamed or reordered make our
 * local voters' choices meaningless, so those are dropped. A poll that is still open gets its
 * `poll.close` job (local voters are told of its end).
 */
export async function upsertRemotePoll(
  tx: Tx,
  status: { id: string; accountId: string },
  data: RemotePollData | null | undefined,
  created: boolean,
): Promise<void> {
  if (data === undefined) return;
  const [existing] = created
    ? []
    : await tx.select().from(polls).where(eq(polls.statusId, status.id)).for("update");
  if (!data) {
    if (existing) await tx.delete(polls).where(eq(polls.id, existing.id));
    return;
  }
  const votesCount = data.options.reduce((n, o) => n + o.votesCount, 0);
  const closedAt = data.closed ? (existing?.closedAt ?? new Date()) : null;
  if (!existing) {
    const id = newId();
    await tx.insert(polls).values({
      id,
      statusId: status.id,
      accountId: status.accountId,
      options: data.options,
      multiple: data.multiple,
      expiresAt: data.expiresAt,
      votesCount,
      votersCount: data.votersCount,
      closedAt,
    });
    if (!closedAt && data.expiresAt)
      await enqueueJobAt(tx, { type: "poll.close", pollId: id }, data.expiresAt);
    return;
  }
  const renamed =
    existing.multiple !== data.multiple ||
    existing.options.map((o) => o.title).join("\u0000") !==
      data.options.map((o) => o.title).join("\u0000");
  if (renamed) await tx.delete(pollVotes).where(eq(pollVotes.pollId, existing.id));
  const moved = data.expiresAt?.getTime() !== existing.expiresAt?.getTime();
  await tx
    .update(polls)
    .set({
      options: data.options,
      multiple: data.multiple,
      expiresAt: data.expiresAt,
      votesCount,
      votersCount: data.votersCount,
      // Our own close job tells our voters; a remote "closed" before it only marks the end.
      closedAt: existing.closedAt ?? closedAt,
      updatedAt: new Date(),
    })
    .where(eq(polls.id, existing.id));
  if (moved && !existing.closedAt && !closedAt && data.expiresAt)
    await enqueueJobAt(tx, { type: "poll.close", pollId: existing.id }, data.expiresAt);
}

/**
 * A remote vote on one of our polls (a Note with `name` = the option, `inReplyTo` the poll).
 * False when `pollUri` is none of our polls (then it is an ordinary reply). A vote for an ended
 * poll, an unknown option, a second choice in a single-choice poll, or from someone who may not
 * see the poll is dropped. Counted in the same transaction; the new counts go out after commit.
 */
export async function receiveRemoteVote(
  db: Db,
  voterId: string,
  pollUri: string,
  title: string,
  voteUri: string,
): Promise<boolean> {
  return db.transaction(async (tx) => {
    const [row] = await tx
      .select({ poll: polls, status: statuses })
      .from(polls)
      .innerJoin(statuses, eq(statuses.id, polls.statusId))
      .where(and(eq(statuses.uri, pollUri), eq(statuses.local, true)))
      .for("update", { of: polls });
    if (!row) return false;
    const { poll, status } = row;
    if (pollEnded(poll) || !(await canView(tx, status, voterId))) return true;
    const choice = poll.options.findIndex((o) => o.title === title);
    if (choice < 0) return true;
    const earlier = await tx
      .select({ choice: pollVotes.choice })
      .from(pollVotes)
      .where(and(eq(pollVotes.pollId, poll.id), eq(pollVotes.accountId, voterId)));
    if (earlier.length && !poll.multiple) return true;
    const [stored] = await tx
      .insert(pollVotes)
      .values({ id: newId(), pollId: poll.id, accountId: voterId, choice, uri: voteUri })
      .onConflictDoNothing()
      .returning({ id: pollVotes.id });
    if (!stored) return true;
    await countVotes(tx, poll, [choice], earlier.length === 0);
    await enqueueJob(tx, { type: "poll.updated", pollId: poll.id });
    return true;
  });
}
