import { and, eq } from "drizzle-orm";
import type { Db, Tx } from "../../db/client.ts";
import { bookmarks } from "../../db/schema/index.ts";
import { newId } from "../../lib/ids.ts";
import type { Account } from "../accounts/accounts.ts";
import { visibleStatus } from "../favourites/favourites.ts";
import type { Page } from "../paging.ts";
import { listMarkedStatuses } from "../statuses/marks.ts";
import type { Status } from "../statuses/types.ts";

/**
 * Bookmarks a status the account may see (else 404, as if it did not exist). Bookmarks are
 * private to their account: nothing is federated, nobody is notified. Twice is the same bookmark.
 */
export async function bookmarkStatus(db: Db, account: Account, statusId: string): Promise<void> {
  const status = await visibleStatus(db, statusId, account.id);
  await db
    .insert(bookmarks)
    .values({ id: newId(), accountId: account.id, statusId: status.id })
    .onConflictDoNothing();
}

/**
 * Removes a bookmark. As for favourites, one the account has is removed even if the status has
 * since become invisible to it; without one, an invisible status is a 404, a visible one a no-op.
 */
export async function unbookmarkStatus(db: Db, account: Account, statusId: string): Promise<void> {
  const gone = await db
    .delete(bookmarks)
    .where(and(eq(bookmarks.accountId, account.id), eq(bookmarks.statusId, statusId)))
    .returning({ id: bookmarks.id });
  if (gone.length === 0) await visibleStatus(db, statusId, account.id);
}

/** The account's bookmarks, newest bookmark first, paged by the bookmark's id. */
export async function listBookmarks(
  db: Tx,
  accountId: string,
  page: Page,
): Promise<{ bookmarkId: string; status: Status }[]> {
  const rows = await listMarkedStatuses(db, bookmarks, accountId, page);
  return rows.map((r) => ({ bookmarkId: r.markId, status: r.status }));
}
