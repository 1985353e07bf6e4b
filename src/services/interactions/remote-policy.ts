import { and, eq } from "drizzle-orm";
import type { Tx } from "../../db/client.ts";
import { accounts, mentions } from "../../db/schema/index.ts";
import { AppError } from "../../lib/errors.ts";
import type { Account } from "../accounts/accounts.ts";
import { followedAmong, type Interaction, remotePermission } from "../quotes/policy.ts";
import type { Status } from "../statuses/types.ts";

const VERB: Record<Interaction, string> = {
  like: "favourite",
  reply: "reply to",
  announce: "boost",
  quote: "quote",
};

/**
 * Honours a remote post's published `interactionPolicy` before a local account interacts with
 * it: where it says nobody may (GoToSocial's `canReply` with only the author, say), a 422 that
 * says so, and nothing is stored or sent. Posts without a policy, and ours, allow everything.
 * (Where the policy asks for manual approval, the plain interaction goes out, which GoToSocial
 * keeps as a pending request for its author to approve.)
 */
export async function assertRemoteAllows(
  db: Tx,
  actor: Account,
  status: Status,
  kind: Exclude<Interaction, "quote">,
): Promise<void> {
  if (status.local || !status.interactionPolicy?.[kind]) return;
  const [author] = await db.select().from(accounts).where(eq(accounts.id, status.accountId));
  if (!author) return;
  if (kind === "reply") {
    // GoToSocial: whoever a post mentions may always reply to it.
    const [mentioned] = await db
      .select({ id: mentions.accountId })
      .from(mentions)
      .where(and(eq(mentions.statusId, status.id), eq(mentions.accountId, actor.id)));
    if (mentioned) return;
  }
  const follows = await followedAmong(db, actor.id, [author.id]);
  const permission = remotePermission(
    status.interactionPolicy,
    kind,
    actor.uri,
    author.uri,
    follows.has(author.id),
  );
  if (permission === "denied")
    throw new AppError(422, `The author of this status does not allow you to ${VERB[kind]} it`);
}
