import { and, eq } from "drizzle-orm";
import type { Db, Tx } from "../../db/client.ts";
import { accounts, interactionRequests, statuses } from "../../db/schema/index.ts";
import type { InteractionType } from "../../db/schema/statuses.ts";
import { newId } from "../../lib/ids.ts";
import { authorizationUrl } from "../../lib/urls.ts";
import type { Account } from "../accounts/accounts.ts";
import { enqueueJob } from "../jobs.ts";
import type { Status } from "../statuses/types.ts";
import { canView } from "../statuses/visibility.ts";

export type InteractionRequest = typeof interactionRequests.$inferSelect;

export interface RequestFacts {
  type: InteractionType;
  /** Our status being interacted with. */
  status: Status;
  requester: Account;
  requestUri: string;
  /** The interaction itself: the Like's id, the reply's or the quoting post's. */
  objectUri: string;
}

/**
 * Records a request and our answer in one statement. A repeated request (same id) keeps the
 * first answer; a request id reused for another object or by another account is refused (null).
 */
export async function recordInteractionRequest(
  tx: Tx,
  facts: RequestFacts,
  state: "accepted" | "rejected",
): Promise<{ row: InteractionRequest; created: boolean } | null> {
  const [inserted] = await tx
    .insert(interactionRequests)
    .values({
      id: newId(),
      type: facts.type,
      statusId: facts.status.id,
      accountId: facts.requester.id,
      requestUri: facts.requestUri,
      objectUri: facts.objectUri,
      state,
      decidedAt: new Date(),
    })
    .onConflictDoNothing()
    .returning();
  if (inserted) return { row: inserted, created: true };
  const [earlier] = await tx
    .select()
    .from(interactionRequests)
    .where(eq(interactionRequests.requestUri, facts.requestUri));
  if (!earlier || earlier.accountId !== facts.requester.id) return null;
  if (earlier.objectUri !== facts.objectUri || earlier.statusId !== facts.status.id) return null;
  return { row: earlier, created: false };
}

/**
 * Answers a remote account's request to interact with one of our posts (GoToSocial's
 * LikeRequest, ReplyRequest, AnnounceRequest; Mastodon's QuoteRequest), decided by the caller:
 * recorded with the answer, which goes out as a job (Accept with the authorization's URL, or
 * Reject). A repeated request is answered again with the first answer. Null: refused outright
 * (its id was used before for something else).
 */
export async function answerInteractionRequest(
  db: Db,
  facts: RequestFacts,
  allowed: boolean,
): Promise<InteractionRequest | null> {
  return db.transaction(async (tx) => {
    const recorded = await recordInteractionRequest(tx, facts, allowed ? "accepted" : "rejected");
    if (!recorded) return null;
    await enqueueJob(tx, { type: "interaction.answered", requestId: recorded.row.id });
    return recorded.row;
  });
}

/**
 * Tern's posts let anyone who can see them like, reply to and boost them (that is the policy
 * they publish), so such a request is approved for a reader of the post.
 */
export const mayInteract = (db: Tx, status: Status, requester: Account) =>
  canView(db, status, requester.id);

/** What an answer needs: the request, our status and its author, the requester. */
export async function getInteractionRequest(db: Tx, id: string) {
  const [row] = await db
    .select({ request: interactionRequests, status: statuses, author: accounts })
    .from(interactionRequests)
    .innerJoin(statuses, eq(statuses.id, interactionRequests.statusId))
    .innerJoin(accounts, eq(accounts.id, statuses.accountId))
    .where(eq(interactionRequests.id, id));
  if (!row) return undefined;
  const [requester] = await db
    .select()
    .from(accounts)
    .where(eq(accounts.id, row.request.accountId));
  return requester ? { ...row, requester } : undefined;
}

/** An accepted request of `type` by id, for serving its authorization (revoked ones are gone). */
export async function acceptedRequest(db: Tx, type: InteractionType, id: string) {
  const found = await getInteractionRequest(db, id);
  if (!found || found.request.type !== type || found.request.state !== "accepted") return undefined;
  return found;
}

export function authorizationUrlOf(
  publicUrl: string,
  author: Account,
  request: InteractionRequest,
): string {
  return authorizationUrl(publicUrl, author.username, request.type, request.id);
}

/** Whether we approved `objectUri` quoting (or otherwise interacting with) our status. */
export async function approvedInteraction(
  db: Tx,
  type: InteractionType,
  statusId: string,
  objectUri: string,
): Promise<InteractionRequest | undefined> {
  const [row] = await db
    .select()
    .from(interactionRequests)
    .where(
      and(
        eq(interactionRequests.objectUri, objectUri),
        eq(interactionRequests.statusId, statusId),
        eq(interactionRequests.type, type),
        eq(interactionRequests.state, "accepted"),
      ),
    );
  return row;
}
