import { and, eq } from "drizzle-orm";
import type { Db, Tx } from "../../db/client.ts";
import { accounts, favourites, statuses } from "../../db/schema/index.ts";
import { notFound } from "../../lib/errors.ts";
import { newId } from "../../lib/ids.ts";
import type { Account } from "../accounts/accounts.ts";
import { assertRemoteAllows } from "../interactions/remote-policy.ts";
import { enqueueJob } from "../jobs.ts";
import { notify } from "../notifications/notify.ts";
import { keyset, type Page, pageLimit } from "../paging.ts";
import { notBlocked } from "../safety/hidden.ts";
import { listMarkedStatuses } from "../statuses/marks.ts";
import { bumpStatusStat } from "../statuses/stats.ts";
import type { Status } from "../statuses/types.ts";
import { canView } from "../statuses/visibility.ts";

export type Favourite = typeof favourites.$inferSelect;

/** favourites_count moves with the row, in its transaction; never below zero. */
const bumpFavourites = (tx: Tx, statusId: string, by: 1 | -1) =>
  bumpStatusStat(tx, statusId, "favouritesCount", by);

/**
 * Stores a favourite of `status` by `liker` (local or remote) unless it exists: counter +1 and a
 * notification for the author in the same transaction. `uri` is the Like's id (ours are minted
 * under the liker's actor). Returns the new row, or null when it was a favourite already.
 */
async function insertFavourite(
  tx: Tx,
  liker: Account,
  status: Status,
  uri: (id: string) => string,
): Promise<Favourite | null> {
  const id = newId();
  const [row] = await tx
    .insert(favourites)
    .values({ id, accountId: liker.id, statusId: status.id, uri: uri(id) })
    .onConflictDoNothing()
    .returning();
  if (!row) return null;
  await bumpFavourites(tx, status.id, 1);
  await notify(tx, {
    accountId: status.accountId,
    type: "favourite",
    fromAccountId: liker.id,
    statusId: status.id,
  });
  return row;
}

/**
 * A local account favourites a status it may see (else 404, as if it did not exist); a remote
 * author is sent a Like. Favouriting twice changes nothing.
 */
export async function favouriteStatus(db: Db, liker: Account, statusId: string): Promise<void> {
  const status = await visibleStatus(db, statusId, liker.id);
  await assertRemoteAllows(db, liker, status, "like");
  await db.transaction(async (tx) => {
    const row = await insertFavourite(tx, liker, status, (id) => `${liker.uri}#likes/${id}`);
    if (row && !status.local)
      await enqueueJob(tx, { type: "favourite.created", favouriteId: row.id });
  });
}

/**
 * Takes a local account's favourite back; a remote author is sent Undo(Like). As Mastodon, a
 * favourite the liker has is undone even if the status has since become invisible to them;
 * without one, an invisible status is a 404 and a visible one is answered unchanged.
 */
export async function unfavouriteStatus(db: Db, liker: Account, statusId: string): Promise<void> {
  const [mine] = await db
    .select({ status: statuses })
    .from(favourites)
    .innerJoin(statuses, eq(statuses.id, favourites.statusId))
    .where(and(eq(favourites.accountId, liker.id), eq(favourites.statusId, statusId)));
  if (!mine) {
    await visibleStatus(db, statusId, liker.id);
    return;
  }
  const status = mine.status;
  await db.transaction(async (tx) => {
    const [gone] = await tx
      .delete(favourites)
      .where(and(eq(favourites.accountId, liker.id), eq(favourites.statusId, status.id)))
      .returning();
    if (!gone) return;
    await bumpFavourites(tx, status.id, -1);
    if (!status.local) {
      await enqueueJob(tx, {
        type: "favourite.undone",
        accountId: liker.id,
        statusId: status.id,
        likeUri: gone.uri,
      });
    }
  });
}

/** The status if `viewerId` may see it; 404 otherwise (existence is not revealed). */
export async function visibleStatus(db: Tx, statusId: string, viewerId: string | null) {
  const [status] = await db.select().from(statuses).where(eq(statuses.id, statusId));
  if (!status || !(await canView(db, status, viewerId))) throw notFound();
  return status;
}

/** A remote Like of one of our statuses (visibility checked by the caller). */
export async function receiveLike(
  db: Db,
  liker: Account,
  status: Status,
  likeUri: string,
): Promise<boolean> {
  return db.transaction(async (tx) =>
    Boolean(await insertFavourite(tx, liker, status, () => likeUri)),
  );
}

/** Undo(Like) from `likerId`: by the Like's id, else by the status it liked. Only its own. */
export async function receiveUndoLike(
  db: Db,
  likerId: string,
  by: { likeUri?: string; statusId?: string },
): Promise<boolean> {
  if (!by.likeUri && !by.statusId) return false;
  return db.transaction(async (tx) => {
    const rows = await tx
      .delete(favourites)
      .where(
        and(
          eq(favourites.accountId, likerId),
          by.likeUri ? eq(favourites.uri, by.likeUri) : eq(favourites.statusId, by.statusId!),
        ),
      )
      .returning();
    for (const row of rows) await bumpFavourites(tx, row.statusId, -1);
    return rows.length > 0;
  });
}

export async function getFavourite(db: Tx, id: string): Promise<Favourite | undefined> {
  const [row] = await db.select().from(favourites).where(eq(favourites.id, id));
  return row;
}

/** The viewer's favourites, newest favourite first, paged by the favourite's id. */
export async function listFavourites(
  db: Tx,
  accountId: string,
  page: Page,
): Promise<{ favouriteId: string; status: Status }[]> {
  const rows = await listMarkedStatuses(db, favourites, accountId, page);
  return rows.map((r) => ({ favouriteId: r.markId, status: r.status }));
}

/** Who favourited a status, newest first, paged by the favourite's id. */
export async function listFavouritedBy(
  db: Tx,
  statusId: string,
  page: Page,
  viewerId: string | null = null,
): Promise<{ favouriteId: string; account: Account }[]> {
  const b = keyset(favourites.id, page);
  const rows = await db
    .select({ favouriteId: favourites.id, account: accounts })
    .from(favourites)
    .innerJoin(accounts, eq(accounts.id, favourites.accountId))
    .where(
      and(
        eq(favourites.statusId, statusId),
        notBlocked(viewerId, favourites.accountId),
        ...b.where,
      ),
    )
    .orderBy(b.order)
    .limit(pageLimit(page.limit));
  return b.newestFirst(rows);
}
