import { and, eq, sql } from "drizzle-orm";
import type { Db, Tx } from "../../db/client.ts";
import {
  accounts,
  interactionRequests,
  quotes,
  statuses,
  statusStats,
} from "../../db/schema/index.ts";
import type { QuoteState } from "../../db/schema/statuses.ts";
import { AppError, notFound } from "../../lib/errors.ts";
import { newId } from "../../lib/ids.ts";
import { authorizationUrl } from "../../lib/urls.ts";
import type { Account } from "../accounts/accounts.ts";
import { approvedInteraction, recordInteractionRequest } from "../interactions/requests.ts";
import { enqueueJob } from "../jobs.ts";
import { notify } from "../notifications/notify.ts";
import type { Status } from "../statuses/types.ts";
import { canView } from "../statuses/visibility.ts";
import { followedAmong, type Permission, quotePermission } from "./policy.ts";

export type Quote = typeof quotes.$inferSelect;

/** What a new local post may quote, checked before its transaction. */
export interface QuoteTarget {
  status: Status;
  author: Account;
  permission: Permission;
}

/** quotes_count counts accepted quotes only; it moves with the quote's state, never below 0. */
async function bumpQuotes(tx: Tx, statusId: string | null, by: 1 | -1): Promise<void> {
  if (!statusId) return;
  await tx
    .insert(statusStats)
    .values({ statusId, quotesCount: Math.max(by, 0) })
    .onConflictDoUpdate({
      target: statusStats.statusId,
      set: { quotesCount: sql`greatest(${statusStats.quotesCount} + ${by}, 0)` },
    });
}

/** The quoted author hears of an accepted quote (the notification names the quoting post). */
async function notifyQuoted(tx: Tx, quoting: Status, quotedAccountId: string): Promise<void> {
  await notify(tx, {
    accountId: quotedAccountId,
    type: "quote",
    fromAccountId: quoting.accountId,
    statusId: quoting.id,
  });
}

/**
 * Whether `quoter` may quote `quotedStatusId` (Mastodon 4.5's rules): a post they cannot see,
 * a boost, a direct post, someone else's followers-only post or one whose policy leaves them
 * out is a 422 with the reason; nothing is stored.
 */
export async function quoteTarget(
  db: Tx,
  quoter: Account,
  quotedStatusId: string,
): Promise<QuoteTarget> {
  const [row] = await db
    .select({ status: statuses, author: accounts })
    .from(statuses)
    .innerJoin(accounts, eq(accounts.id, statuses.accountId))
    .where(eq(statuses.id, quotedStatusId));
  if (!row || !(await canView(db, row.status, quoter.id)))
    throw new AppError(422, "Validation failed: the status you are quoting does not exist");
  if (row.status.reblogOfId)
    throw new AppError(422, "Validation failed: a boost cannot be quoted, quote the post itself");
  const follows = await followedAmong(db, quoter.id, [row.author.id]);
  const permission = quotePermission(row.status, row.author, quoter, follows.has(row.author.id));
  if (permission === "denied") {
    const why =
      row.status.visibility === "private" || row.status.visibility === "direct"
        ? "private and direct posts cannot be quoted"
        : "its author's quote policy does not allow you to quote it";
    throw new AppError(422, `Validation failed: this status cannot be quoted: ${why}`);
  }
  return { ...row, permission };
}

/**
 * Stores the quote of a new local post, in the post's transaction. A local quoted post whose
 * policy allows it is accepted at once (with an authorization of ours, for other servers to
 * check), counted and notified; a remote one stays pending until its author's server sends a
 * QuoteAuthorization back in answer to the QuoteRequest queued here.
 */
export async function recordLocalQuote(
  tx: Tx,
  publicUrl: string,
  quoting: Status,
  quoter: Account,
  target: QuoteTarget,
): Promise<void> {
  const id = newId();
  const base = { id, statusId: quoting.id, quotedStatusId: target.status.id };
  if (!target.status.local) {
    await tx.insert(quotes).values({
      ...base,
      quotedUri: target.status.uri,
      state: "pending",
      requestUri: `${quoter.uri}#quote_requests/${id}`,
    });
    await enqueueJob(tx, { type: "quote.requested", quoteId: id });
    return;
  }
  const recorded = await recordInteractionRequest(
    tx,
    {
      type: "quote",
      status: target.status,
      requester: quoter,
      requestUri: `${quoter.uri}#quote_requests/${id}`,
      objectUri: quoting.uri,
    },
    "accepted",
  );
  const authorizationUri = recorded
    ? authorizationUrl(publicUrl, target.author.username, "quote", recorded.row.id)
    : null;
  await tx.insert(quotes).values({
    ...base,
    quotedUri: target.status.uri,
    state: "accepted",
    requestUri: recorded?.row.requestUri ?? null,
    authorizationUri,
  });
  await bumpQuotes(tx, target.status.id, 1);
  await notifyQuoted(tx, quoting, target.author.id);
}

/** Removes a status's quote before the status goes (so the quoted post's count follows). */
export async function dropQuote(tx: Tx, statusId: string): Promise<void> {
  const gone = await tx.delete(quotes).where(eq(quotes.statusId, statusId)).returning();
  for (const q of gone) if (q.state === "accepted") await bumpQuotes(tx, q.quotedStatusId, -1);
}

/** The quote a remote post names, as from-ap read it (`quote`, `quoteUrl`, `_misskey_quote`...). */
export interface QuoteRef {
  uri: string;
  /** Its `quoteAuthorization`; absent for Misskey-style quotes. */
  authorizationUri: string | null;
}

const originOf = (uri: string | null) => {
  try {
    return uri ? new URL(uri).origin : null;
  } catch {
    return null;
  }
};

/**
 * Keeps a stored remote post's quote in step with what it says, in its transaction. As Mastodon
 * 4.5: a quote is accepted only when the quoted author approved it. A quote of one's own post is
 * accepted; of one of our posts when we authorized that very post; of another server's post once
 * its QuoteAuthorization (which must be on the quoted post's origin) was fetched and checked by a
 * job. Anything else, Misskey-style quotes included, stays pending and its post is not embedded.
 * A revoked or rejected quote is not revived by a re-delivery.
 */
export async function recordRemoteQuote(tx: Tx, status: Status, ref: QuoteRef | null) {
  const [current] = await tx.select().from(quotes).where(eq(quotes.statusId, status.id));
  if (!ref || ref.uri === status.uri) {
    if (current) await dropQuote(tx, status.id);
    return;
  }
  const [quoted] = await tx.select().from(statuses).where(eq(statuses.uri, ref.uri));
  let state: QuoteState = "pending";
  let verify = false;
  if (quoted && quoted.accountId === status.accountId) state = "accepted";
  else if (quoted?.local) {
    if (await approvedInteraction(tx, "quote", quoted.id, status.uri)) state = "accepted";
  } else if (ref.authorizationUri && originOf(ref.authorizationUri) === originOf(ref.uri)) {
    verify = true;
  }
  const same = current && current.quotedUri === ref.uri;
  if (same && (current.state === "revoked" || current.state === "rejected")) return;
  // Verified before, with this same authorization: the re-delivery changes nothing.
  if (same && current.state === "accepted" && current.authorizationUri === ref.authorizationUri)
    state = "accepted";
  const values = {
    quotedStatusId: quoted?.id ?? null,
    quotedUri: ref.uri,
    state,
    authorizationUri: ref.authorizationUri,
  };
  let row: Quote;
  if (current) {
    [row] = await tx.update(quotes).set(values).where(eq(quotes.id, current.id)).returning();
    if (current.state === "accepted") await bumpQuotes(tx, current.quotedStatusId, -1);
  } else {
    [row] = await tx
      .insert(quotes)
      .values({ id: newId(), statusId: status.id, ...values })
      .returning();
  }
  if (state === "accepted") {
    await bumpQuotes(tx, row.quotedStatusId, 1);
    if (quoted?.local && current?.state !== "accepted")
      await notifyQuoted(tx, status, quoted.accountId);
  } else if (verify) {
    await enqueueJob(tx, { type: "quote.verify", quoteId: row.id });
  }
}

/** A quote by id with its quoting status (for the jobs that federate it). */
export async function getQuote(db: Tx, quoteId: string) {
  const [row] = await db
    .select({ quote: quotes, status: statuses })
    .from(quotes)
    .innerJoin(statuses, eq(statuses.id, quotes.statusId))
    .where(eq(quotes.id, quoteId));
  return row;
}

/**
 * The quoted author's server answered one of our QuoteRequests. Only the author of the quoted
 * post can answer, and an authorization must be on their own origin. Accepted: counted, and the
 * quoting Note goes out again (Update) carrying its `quoteAuthorization`. True when it matched.
 */
export async function answerOurQuoteRequest(
  db: Db,
  sender: Account,
  requestUri: string,
  answer: { accepted: true; authorizationUri: string } | { accepted: false },
): Promise<boolean> {
  return db.transaction(async (tx) => {
    const [row] = await tx
      .select({ quote: quotes, quoting: statuses })
      .from(quotes)
      .innerJoin(statuses, eq(statuses.id, quotes.statusId))
      .where(and(eq(quotes.requestUri, requestUri), eq(statuses.local, true)))
      .for("update");
    if (!row?.quote.quotedStatusId) return false;
    const [quoted] = await tx
      .select()
      .from(statuses)
      .where(eq(statuses.id, row.quote.quotedStatusId));
    if (!quoted || quoted.accountId !== sender.id) return false;
    if (answer.accepted && originOf(answer.authorizationUri) !== originOf(sender.uri)) return false;
    if (row.quote.state !== "pending") return true;
    await tx
      .update(quotes)
      .set(
        answer.accepted
          ? { state: "accepted", authorizationUri: answer.authorizationUri }
          : { state: "rejected" },
      )
      .where(eq(quotes.id, row.quote.id));
    if (answer.accepted) {
      await bumpQuotes(tx, quoted.id, 1);
      await enqueueJob(tx, { type: "status.updated", statusId: row.quoting.id });
    }
    return true;
  });
}

/** A remote quote checked by the verify job: accepted (linked to the quoted post), counted. */
export async function acceptVerifiedQuote(
  db: Db,
  quoteId: string,
  quotedStatusId: string,
): Promise<void> {
  await db.transaction(async (tx) => {
    const [gone] = await tx
      .update(quotes)
      .set({ state: "accepted", quotedStatusId })
      .where(and(eq(quotes.id, quoteId), eq(quotes.state, "pending")))
      .returning();
    if (gone) await bumpQuotes(tx, gone.quotedStatusId, 1);
  });
}

/** Leaves accepted: revoked (by the quoted author) or rejected; the count follows. */
async function withdraw(tx: Tx, quote: Quote, state: "revoked" | "rejected") {
  const [row] = await tx
    .update(quotes)
    .set({ state })
    .where(and(eq(quotes.id, quote.id), eq(quotes.state, "accepted")))
    .returning();
  if (row) await bumpQuotes(tx, row.quotedStatusId, -1);
  return Boolean(row);
}

/**
 * The quoted author's server deleted the QuoteAuthorization it had given: the quote is revoked.
 * Only the quoted post's author can do that. True when something was revoked.
 */
export async function revokeByAuthorization(
  db: Db,
  sender: Account,
  authorizationUri: string,
): Promise<boolean> {
  return db.transaction(async (tx) => {
    const rows = await tx
      .select({ quote: quotes, quotedAccountId: statuses.accountId })
      .from(quotes)
      .innerJoin(statuses, eq(statuses.id, quotes.quotedStatusId))
      .where(eq(quotes.authorizationUri, authorizationUri));
    let revoked = false;
    for (const { quote, quotedAccountId } of rows) {
      if (quotedAccountId !== sender.id || !(await withdraw(tx, quote, "revoked"))) continue;
      revoked = true;
      const [quoting] = await tx.select().from(statuses).where(eq(statuses.id, quote.statusId));
      if (quoting?.local) await enqueueJob(tx, { type: "status.updated", statusId: quoting.id });
    }
    return revoked;
  });
}

/**
 * The author of a local post revokes someone's accepted quote of it: the quote is no longer
 * shown, our authorization is withdrawn (no longer served) and its Delete goes out. Revoking a
 * quote that is not accepted changes nothing. Returns the quoting status's id.
 */
export async function revokeQuote(
  db: Db,
  author: Account,
  quotedStatusId: string,
  quotingStatusId: string,
): Promise<string> {
  const [row] = await db
    .select({ quote: quotes, quoting: statuses })
    .from(quotes)
    .innerJoin(statuses, eq(statuses.id, quotes.statusId))
    .where(and(eq(quotes.statusId, quotingStatusId), eq(quotes.quotedStatusId, quotedStatusId)));
  const [quoted] = await db.select().from(statuses).where(eq(statuses.id, quotedStatusId));
  if (!row || !quoted || quoted.accountId !== author.id) throw notFound();
  await db.transaction(async (tx) => {
    if (!(await withdraw(tx, row.quote, "revoked"))) return;
    const request = await approvedInteraction(tx, "quote", quoted.id, row.quoting.uri);
    if (request) {
      await tx
        .update(interactionRequests)
        .set({ state: "rejected", decidedAt: new Date() })
        .where(eq(interactionRequests.id, request.id));
      await enqueueJob(tx, { type: "quote.revoked", requestId: request.id });
    }
    if (row.quoting.local)
      await enqueueJob(tx, { type: "status.updated", statusId: row.quoting.id });
  });
  return row.quoting.id;
}
