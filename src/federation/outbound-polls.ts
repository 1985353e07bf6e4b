import type { Context } from "@fedify/fedify";
import { Update } from "@fedify/vocab";
import { and, eq, isNotNull } from "drizzle-orm";
import { accounts, polls, pollVotes } from "../db/schema/index.ts";
import { getAccount } from "../services/accounts/accounts.ts";
import { loadBundle } from "../services/statuses/load.ts";
import type { FedContext } from "./context.ts";
import { deliver, recipientOf } from "./outbound.ts";
import { statusToNote } from "./to-ap/note.ts";
import { voteActivity } from "./to-ap/question.ts";

type Ctx = Context<FedContext>;

/**
 * A local poll's new counts (or its end) as `Update(Question)`: where the post went (followers
 * unless direct, the mentioned), plus every remote voter, whose server shows the poll too. Each
 * Update has an id of its own: a count is not an edit, and receivers must not drop it as a repeat.
 */
export async function sendPollUpdate(ctx: Ctx, pollId: string): Promise<void> {
  const { db } = ctx.data;
  const [poll] = await db.select().from(polls).where(eq(polls.id, pollId));
  if (!poll) return;
  const bundle = await loadBundle(db, poll.statusId).catch(() => null);
  if (!bundle?.status.local || !bundle.poll) return;
  const voters = await db
    .selectDistinct({ account: accounts })
    .from(pollVotes)
    .innerJoin(accounts, and(eq(accounts.id, pollVotes.accountId), isNotNull(accounts.domain)))
    .where(eq(pollVotes.pollId, poll.id));
  const question = statusToNote(ctx, bundle);
  const update = new Update({
    id: new URL(`${bundle.status.uri}#updates/poll-${Date.now()}`),
    actor: ctx.getActorUri(bundle.account.username),
    tos: question.toIds,
    ccs: question.ccIds,
    updated: question.updated,
    object: question,
  });
  const mentioned = bundle.mentions.filter((m) => !voters.some((v) => v.account.id === m.id));
  await deliver(
    ctx,
    bundle.account,
    bundle.status.visibility,
    [...mentioned, ...voters.map((v) => v.account)],
    update,
    bundle.status.uri,
  );
}

/** A local account's vote on a remote poll: one Create(Note) per chosen option, to its author. */
export async function sendPollVotes(ctx: Ctx, pollId: string, accountId: string): Promise<void> {
  const { db } = ctx.data;
  const [poll] = await db.select().from(polls).where(eq(polls.id, pollId));
  if (!poll) return;
  const [voter, author, bundle] = await Promise.all([
    getAccount(db, accountId).catch(() => null),
    getAccount(db, poll.accountId).catch(() => null),
    loadBundle(db, poll.statusId).catch(() => null),
  ]);
  if (!voter || voter.domain !== null || !author?.inboxUrl || !bundle) return;
  const votes = await db
    .select()
    .from(pollVotes)
    .where(and(eq(pollVotes.pollId, poll.id), eq(pollVotes.accountId, voter.id)));
  for (const vote of votes) {
    const title = poll.options[vote.choice]?.title;
    if (!title || !vote.uri) continue;
    await ctx.sendActivity(
      { identifier: voter.username },
      recipientOf(author),
      voteActivity({
        uri: vote.uri,
        voterUri: voter.uri,
        questionUri: bundle.status.uri,
        authorUri: author.uri,
        title,
      }),
      { orderingKey: `${voter.uri} ${bundle.status.uri}` },
    );
  }
}
