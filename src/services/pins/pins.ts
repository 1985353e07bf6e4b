import { and, count, desc, eq, inArray, notInArray } from "drizzle-orm";
import type { Db, Tx } from "../../db/client.ts";
import { accounts, statuses, statusPins } from "../../db/schema/index.ts";
import { unprocessable } from "../../lib/errors.ts";
import type { Account } from "../accounts/accounts.ts";
import { visibleStatus } from "../favourites/favourites.ts";
import { enqueueJob } from "../jobs.ts";
import { markedAmong } from "../statuses/marks.ts";
import type { Status } from "../statuses/types.ts";

/** Mastodon's limit of pinned posts per local account (its StatusPinValidator). */
export const PIN_LIMIT = 5;
/**
 * How many pins of a remote account are kept, at most: the featured collection is read up to this
 * many items and an `Add` beyond it is ignored, so a peer cannot make us store without bound.
 */
export const REMOTE_PIN_LIMIT = 10;

const PINNABLE = new Set<Status["visibility"]>(["public", "unlisted"]);

/**
 * Pins one of the account's own public or unlisted posts (a status it may not see is a 404; someone
 * else's, a boost, a followers-only or direct post or a sixth pin is a 422 saying why). Pinning twice
 * changes nothing. The Add to followers is queued in the same transaction.
 */
export async function pinStatus(db: Db, account: Account, statusId: string): Promise<void> {
  const status = await visibleStatus(db, statusId, account.id);
  if (status.reblogOfId) throw unprocessable("Validation failed: A boost cannot be pinned");
  if (status.accountId !== account.id)
    throw unprocessable("Validation failed: Someone else's post cannot be pinned");
  if (!PINNABLE.has(status.visibility))
    throw unprocessable("Validation failed: Only public and unlisted posts can be pinned");
  await db.transaction(async (tx) => {
    // One pin at a time per account, so two requests racing cannot both take the fifth place.
    await tx
      .select({ id: accounts.id })
      .from(accounts)
      .where(eq(accounts.id, account.id))
      .for("update");
    const [already] = await tx
      .select({ id: statusPins.statusId })
      .from(statusPins)
      .where(and(eq(statusPins.accountId, account.id), eq(statusPins.statusId, status.id)));
    if (already) return;
    if ((await pinCount(tx, account.id)) >= PIN_LIMIT)
      throw unprocessable(
        `Validation failed: You have already pinned the maximum number of posts (${PIN_LIMIT})`,
      );
    await tx.insert(statusPins).values({ accountId: account.id, statusId: status.id });
    await enqueueJob(tx, { type: "pin.added", accountId: account.id, statusId: status.id });
  });
}

/**
 * Unpins a status; a Remove goes to followers. Unpinning what is not pinned answers unchanged
 * (a status the account may not see is still a 404).
 */
export async function unpinStatus(db: Db, account: Account, statusId: string): Promise<void> {
  const done = await db.transaction(async (tx) => {
    const gone = await tx
      .delete(statusPins)
      .where(and(eq(statusPins.accountId, account.id), eq(statusPins.statusId, statusId)))
      .returning();
    if (gone.length === 0) return false;
    const [status] = await tx
      .select({ uri: statuses.uri })
      .from(statuses)
      .where(eq(statuses.id, statusId));
    await enqueueJob(tx, { type: "pin.removed", accountId: account.id, statusUri: status.uri });
    return true;
  });
  if (!done) await visibleStatus(db, statusId, account.id);
}

async function pinCount(tx: Tx, accountId: string): Promise<number> {
  const [row] = await tx
    .select({ n: count() })
    .from(statusPins)
    .where(eq(statusPins.accountId, accountId));
  return row.n;
}

/** Which of `statusIds` `viewerId` pinned: one query for a whole page. */
export function pinnedAmong(db: Tx, viewerId: string, statusIds: string[]): Promise<Set<string>> {
  return markedAmong(db, statusPins, viewerId, statusIds);
}

/** Whether `accountId` has pinned `statusId` (a queued Add checks it is still meant). */
export async function isPinned(db: Tx, accountId: string, statusId: string): Promise<boolean> {
  return (await pinnedAmong(db, accountId, [statusId])).has(statusId);
}

/**
 * A local account's pins as its `featured` collection shows them: public and unlisted posts, most
 * recently pinned first (as Mastodon orders it). At most PIN_LIMIT rows, one index range scan.
 */
export async function featuredStatuses(db: Tx, accountId: string): Promise<Status[]> {
  const rows = await db
    .select({ status: statuses })
    .from(statusPins)
    .innerJoin(statuses, eq(statuses.id, statusPins.statusId))
    .where(
      and(
        eq(statusPins.accountId, accountId),
        inArray(statuses.visibility, ["public", "unlisted"]),
      ),
    )
    .orderBy(desc(statusPins.createdAt))
    .limit(REMOTE_PIN_LIMIT);
  return rows.map((r) => r.status);
}

/**
 * A remote account's `Add` of one of its own posts to its featured collection: true when stored.
 * Someone else's post is never pinned by it, and past REMOTE_PIN_LIMIT nothing more is kept.
 */
export async function addRemotePin(db: Db, account: Account, status: Status): Promise<boolean> {
  if (account.domain === null || status.accountId !== account.id || status.reblogOfId) return false;
  return db.transaction(async (tx) => {
    if ((await pinCount(tx, account.id)) >= REMOTE_PIN_LIMIT) return false;
    const rows = await tx
      .insert(statusPins)
      .values({ accountId: account.id, statusId: status.id })
      .onConflictDoNothing()
      .returning();
    return rows.length > 0;
  });
}

/** A remote account's `Remove` from its featured collection: only its own pins. */
export async function removeRemotePin(
  db: Db,
  account: Account,
  statusId: string,
): Promise<boolean> {
  if (account.domain === null) return false;
  const rows = await db
    .delete(statusPins)
    .where(and(eq(statusPins.accountId, account.id), eq(statusPins.statusId, statusId)))
    .returning();
  return rows.length > 0;
}

/**
 * The pins of a remote account as its featured collection lists them now (read by a job): pins
 * it no longer lists go, new ones come, in one transaction. Only its own statuses are kept.
 */
export async function replaceRemotePins(
  db: Db,
  account: Account,
  statusIds: string[],
): Promise<void> {
  if (account.domain === null) return;
  const wanted = [...new Set(statusIds)].slice(0, REMOTE_PIN_LIMIT);
  await db.transaction(async (tx) => {
    await tx
      .delete(statusPins)
      .where(
        and(
          eq(statusPins.accountId, account.id),
          wanted.length ? notInArray(statusPins.statusId, wanted) : undefined,
        ),
      );
    if (wanted.length === 0) return;
    const own = await tx
      .select({ id: statuses.id })
      .from(statuses)
      .where(and(inArray(statuses.id, wanted), eq(statuses.accountId, account.id)));
    if (own.length === 0) return;
    await tx
      .insert(statusPins)
      .values(own.map((s) => ({ accountId: account.id, statusId: s.id })))
      .onConflictDoNothing();
  });
}
