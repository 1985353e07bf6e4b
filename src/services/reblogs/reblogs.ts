import { and, eq, inArray, sql } from "drizzle-orm";
import type { Db, Tx } from "../../db/client.ts";
import { accounts, statuses } from "../../db/schema/index.ts";
import type { Visibility } from "../../db/schema/statuses.ts";
import { AppError } from "../../lib/errors.ts";
import { newId } from "../../lib/ids.ts";
import { localBoostUri } from "../../lib/urls.ts";
import type { Account } from "../accounts/accounts.ts";
import { countStatus } from "../accounts/counters.ts";
import { visibleStatus } from "../favourites/favourites.ts";
import { enqueueJob } from "../jobs.ts";
import { notify, unnotify } from "../notifications/notify.ts";
import { keyset, type Page } from "../paging.ts";
import { notBlocked } from "../safety/hidden.ts";
import { bumpStatusStat } from "../statuses/stats.ts";
import type { Status } from "../statuses/types.ts";

/** What a boost may be given (`visibility` on POST /api/v1/statuses/:id/reblog). */
export const boostVisibilities = ["public", "unlisted", "private"] as const;
export type BoostVisibility = (typeof boostVisibilities)[number];

/** reblogs_count moves with the boost, in its transaction; never below zero. */
const bumpReblogs = (tx: Tx, statusId: string, by: 1 | -1) =>
  bumpStatusStat(tx, statusId, "reblogsCount", by);

/**
 * Mastodon's rule (StatusPolicy#reblog?): direct posts are never boosted, followers-only ones
 * only by their author (to the same followers); public and unlisted ones by anyone who sees them.
 */
export function mayBoost(original: Status, boosterId: string): boolean {
  if (original.visibility === "direct") return false;
  return original.visibility !== "private" || original.accountId === boosterId;
}

/**
 * Stores a boost of `original` by `booster` (local or remote) unless they boosted it already:
 * the post's reblogs_count, the booster's statuses_count (Mastodon counts boosts) and a `reblog`
 * notification for a local author, all in this transaction. Null when it existed.
 */
async function insertBoost(
  tx: Tx,
  booster: Account,
  original: Status,
  boost: { id: string; uri: string; visibility: Visibility; createdAt?: Date },
): Promise<Status | null> {
  const [row] = await tx
    .insert(statuses)
    .values({
      ...boost,
      accountId: booster.id,
      content: "",
      local: booster.domain === null,
      reblogOfId: original.id,
    })
    // Either key: the same Announce twice, or a second boost of one post by one account.
    .onConflictDoNothing()
    .returning();
  if (!row) return null;
  await bumpReblogs(tx, original.id, 1);
  await countStatus(tx, row, 1);
  await notify(tx, {
    accountId: original.accountId,
    type: "reblog",
    fromAccountId: booster.id,
    statusId: original.id,
  });
  return row;
}

/** Deletes boosts (rows of `statuses` with reblog_of_id) and undoes what they counted. */
async function removeBoosts(tx: Tx, rows: Status[]): Promise<void> {
  for (const row of rows) {
    if (!row.reblogOfId) continue;
    await bumpReblogs(tx, row.reblogOfId, -1);
    await countStatus(tx, row, -1);
    const [original] = await tx
      .select({ accountId: statuses.accountId })
      .from(statuses)
      .where(eq(statuses.id, row.reblogOfId));
    if (original) {
      await unnotify(tx, {
        accountId: original.accountId,
        type: "reblog",
        fromAccountId: row.accountId,
        statusId: row.reblogOfId,
      });
    }
  }
}

async function findBoost(
  db: Tx,
  boosterId: string,
  originalId: string,
): Promise<Status | undefined> {
  const [row] = await db
    .select()
    .from(statuses)
    .where(and(eq(statuses.accountId, boosterId), eq(statuses.reblogOfId, originalId)));
  return row;
}

/**
 * A local account boosts a status it may see (else 404). A boost of a boost boosts the original,
 * as on Mastodon; boosting twice returns the first boost. A followers-only boost of one's own
 * followers-only post keeps that visibility; others take `visibility` (default public). The
 * fan-out and the Announce are queued in the same transaction. Returns the boost.
 */
export async function reblogStatus(
  db: Db,
  config: { publicUrl: string },
  booster: Account,
  statusId: string,
  visibility?: BoostVisibility,
): Promise<Status> {
  let original = await visibleStatus(db, statusId, booster.id);
  if (original.reblogOfId) original = await visibleStatus(db, original.reblogOfId, booster.id);
  if (!mayBoost(original, booster.id)) throw new AppError(403, "This action is not allowed");
  const earlier = await findBoost(db, booster.id, original.id);
  if (earlier) return earlier;
  const id = newId();
  const stored = await db.transaction(async (tx) => {
    const row = await insertBoost(tx, booster, original, {
      id,
      uri: localBoostUri(config.publicUrl, booster.username, id),
      visibility: original.visibility === "private" ? "private" : (visibility ?? "public"),
    });
    if (row) await enqueueJob(tx, { type: "reblog.created", statusId: row.id });
    return row;
  });
  // Null: a concurrent request boosted it first, and that is the boost.
  return stored ?? (await findBoost(db, booster.id, original.id))!;
}

/**
 * Takes a local account's boost back (Undo(Announce) is queued for the servers that had it; its
 * home-feed rows go with the row). Unboosting what was never boosted answers unchanged, and a
 * status the account may not see is then a 404. Returns the id of the status to show.
 */
export async function unreblogStatus(db: Db, booster: Account, statusId: string): Promise<string> {
  let mine = await findBoost(db, booster.id, statusId);
  if (!mine) {
    const status = await visibleStatus(db, statusId, booster.id);
    if (!status.reblogOfId) return status.id;
    mine = await findBoost(db, booster.id, status.reblogOfId);
    if (!mine) return status.reblogOfId;
  }
  const boost = mine;
  await db.transaction(async (tx) => {
    const gone = await tx.delete(statuses).where(eq(statuses.id, boost.id)).returning();
    await removeBoosts(tx, gone);
    if (gone.length) {
      await enqueueJob(tx, {
        type: "reblog.undone",
        accountId: booster.id,
        statusId: boost.reblogOfId!,
        uri: boost.uri,
        visibility: boost.visibility,
      });
    }
  });
  return boost.reblogOfId!;
}

/**
 * Before a post is deleted: its boosts go first, counted down (their boosters' statuses_count,
 * notifications), so that the foreign key's cascade does not leave counters behind. Returns the
 * accounts that boosted it, whose servers are then sent the post's Delete (as Mastodon does).
 */
export async function removeBoostsOf(tx: Tx, originalId: string): Promise<string[]> {
  const gone = await tx.delete(statuses).where(eq(statuses.reblogOfId, originalId)).returning();
  for (const row of gone) await countStatus(tx, row, -1);
  return gone.map((r) => r.accountId);
}

/**
 * A remote Announce of `original` (announceable: checked by the caller). Stored once per
 * booster and post; true when it is new (the caller fans it out).
 */
export async function receiveBoost(
  db: Db,
  booster: Account,
  original: Status,
  announce: { uri: string; visibility: Visibility; publishedAt: Date },
): Promise<Status | null> {
  return db.transaction((tx) =>
    insertBoost(tx, booster, original, {
      // Ids sort by time: minted from when it was boosted (never from the future).
      id: newId(Math.min(announce.publishedAt.getTime(), Date.now())),
      uri: announce.uri,
      visibility: announce.visibility,
      createdAt: announce.publishedAt,
    }),
  );
}

/**
 * Undo(Announce) (or a Delete of it) from `boosterId`: by the Announce's id, else by the post it
 * boosted. Only the booster's own boosts are removed; true when one was.
 */
export async function receiveUndoBoost(
  db: Db,
  boosterId: string,
  by: { uri?: string; originalId?: string },
): Promise<boolean> {
  if (!by.uri && !by.originalId) return false;
  return db.transaction(async (tx) => {
    const gone = await tx
      .delete(statuses)
      .where(
        and(
          eq(statuses.accountId, boosterId),
          eq(statuses.local, false),
          by.uri ? eq(statuses.uri, by.uri) : eq(statuses.reblogOfId, by.originalId!),
          sql`${statuses.reblogOfId} is not null`,
        ),
      )
      .returning();
    await removeBoosts(tx, gone);
    return gone.length > 0;
  });
}

/**
 * Who boosted a status, newest boost first, paged by the boost's id (statuses_reblog_idx). As on
 * Mastodon, only public and unlisted boosts are listed: a followers-only one is not for everyone.
 */
export async function listRebloggedBy(
  db: Tx,
  statusId: string,
  page: Page,
  viewerId: string | null = null,
): Promise<{ boostId: string; account: Account }[]> {
  const b = keyset(statuses.id, page);
  const rows = await db
    .select({ boostId: statuses.id, account: accounts })
    .from(statuses)
    .innerJoin(accounts, eq(accounts.id, statuses.accountId))
    .where(
      and(
        eq(statuses.reblogOfId, statusId),
        inArray(statuses.visibility, ["public", "unlisted"]),
        notBlocked(viewerId, statuses.accountId),
        ...b.where,
      ),
    )
    .orderBy(b.order)
    .limit(page.limit);
  return b.newestFirst(rows);
}
