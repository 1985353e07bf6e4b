import { and, eq, isNull, sql } from "drizzle-orm";
import type { Db } from "../../db/client.ts";
import { accounts, polls, pollVotes, statuses } from "../../db/schema/index.ts";
import { newId } from "../../lib/ids.ts";
import { enqueueJob } from "../jobs.ts";
import { groupKey } from "../notifications/notify.ts";
import { notifyingAccount } from "../safety/hidden.ts";
import { threadNotMuted } from "../statuses/thread-mutes.ts";

/**
 * The `poll.close` job, run at the poll's end: marks it closed (once, even if the job runs twice
 * or the poll was edited to end later), tells its local voters and its local author with a
 * `poll` notification, and for a local poll queues the final Update(Question).
 */
export async function closePoll(db: Db, pollId: string): Promise<void> {
  await db.transaction(async (tx) => {
    const [poll] = await tx
      .update(polls)
      .set({ closedAt: sql`now()` })
      .where(and(eq(polls.id, pollId), isNull(polls.closedAt), sql`${polls.expiresAt} <= now()`))
      .returning();
    if (!poll) return;
    const [voters, [status]] = await Promise.all([
      tx
        .selectDistinct({ id: pollVotes.accountId })
        .from(pollVotes)
        .innerJoin(accounts, and(eq(accounts.id, pollVotes.accountId), isNull(accounts.domain)))
        .where(eq(pollVotes.pollId, poll.id)),
      tx.select({ local: statuses.local }).from(statuses).where(eq(statuses.id, poll.statusId)),
    ]);
    // The author hears of their own poll's end too (as on Mastodon), so `notify`'s "not your own
    // act" rule does not apply here; voters who block or muted the author are spared. One insert
    // per local voter, as Mastodon's expiry worker notifies each.
    const author = sql`${poll.accountId}::bigint`;
    const recipients = new Set(voters.map((v) => v.id));
    if (status?.local) recipients.add(poll.accountId);
    for (const accountId of recipients) {
      const id = newId();
      const key = groupKey({ accountId, type: "poll", fromAccountId: poll.accountId }, id);
      const allowed =
        accountId === poll.accountId ? sql`true` : notifyingAccount(accountId, author);
      await tx.execute(sql`
        insert into notifications (id, account_id, type, from_account_id, status_id, group_key)
        select ${id}::bigint, ${accountId}::bigint, 'poll', ${author}, ${poll.statusId}::bigint, ${key}
        where ${allowed} and ${threadNotMuted(sql`${accountId}::bigint`, sql`${poll.statusId}::bigint`)}
        on conflict do nothing`);
    }
    if (status?.local) await enqueueJob(tx, { type: "poll.updated", pollId: poll.id });
  });
}
