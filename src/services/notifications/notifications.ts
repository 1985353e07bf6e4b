import { and, eq, gt, inArray, notInArray, type SQL, sql } from "drizzle-orm";
import type { Db, Tx } from "../../db/client.ts";
import { type NotificationType, notifications, notificationTypes } from "../../db/schema/index.ts";
import { notFound } from "../../lib/errors.ts";
import { keyset, type Page, pageLimit } from "../paging.ts";
import { notifyingAccount } from "../safety/hidden.ts";

export type Notification = typeof notifications.$inferSelect;

export interface NotificationFilter {
  /** Only these types (none given: all). Unknown names are dropped, as Mastodon does. */
  types?: string[];
  excludeTypes?: string[];
  /** Only those from this account. */
  fromAccountId?: string;
}

const known = (names: string[] | undefined): NotificationType[] | undefined =>
  names?.filter((t): t is NotificationType => (notificationTypes as readonly string[]).includes(t));

export function filterClauses(accountId: string, f: NotificationFilter): (SQL | undefined)[] {
  const types = known(f.types);
  const excluded = known(f.excludeTypes);
  return [
    eq(notifications.accountId, accountId),
    // types[] naming only unknown types matches nothing (not everything).
    f.types?.length ? (types?.length ? inArray(notifications.type, types) : sql`false`) : undefined,
    excluded?.length ? notInArray(notifications.type, excluded) : undefined,
    f.fromAccountId ? eq(notifications.fromAccountId, f.fromAccountId) : undefined,
    // Written before a block or mute: hidden while it holds (as Mastodon filters them).
    notifyingAccount(accountId, notifications.fromAccountId),
  ];
}

/** One page of a local account's notifications, newest first (one range scan on the account index). */
export async function listNotifications(
  db: Tx,
  accountId: string,
  filter: NotificationFilter,
  page: Page,
): Promise<Notification[]> {
  const b = keyset(notifications.id, page);
  const rows = await db
    .select()
    .from(notifications)
    .where(and(...filterClauses(accountId, filter), ...b.where))
    .orderBy(b.order)
    .limit(pageLimit(page.limit));
  return b.newestFirst(rows);
}

/** One of the account's notifications; anyone else's is a 404. */
export async function getNotification(
  db: Tx,
  accountId: string,
  id: string,
): Promise<Notification> {
  const [row] = await db
    .select()
    .from(notifications)
    .where(and(eq(notifications.accountId, accountId), eq(notifications.id, id)));
  if (!row) throw notFound();
  return row;
}

/** Dismisses one (Mastodon answers 200 even for an unknown id: dismissing is idempotent). */
export async function dismissNotification(db: Db, accountId: string, id: string): Promise<void> {
  await db
    .delete(notifications)
    .where(and(eq(notifications.accountId, accountId), eq(notifications.id, id)));
}

export async function clearNotifications(db: Db, accountId: string): Promise<void> {
  await db.delete(notifications).where(eq(notifications.accountId, accountId));
}

/**
 * Mastodon counts notifications newer than the client's `notifications` read marker (`after`;
 * none saved: all count), capped at `limit` (default 100, at most 1000), so it stays one bounded
 * index scan however many there are.
 */
export async function countUnread(
  db: Tx,
  accountId: string,
  filter: NotificationFilter,
  limit: number,
  after?: string,
): Promise<number> {
  const capped = db
    .select({ one: sql`1` })
    .from(notifications)
    .where(
      and(...filterClauses(accountId, filter), after ? gt(notifications.id, after) : undefined),
    )
    .limit(limit)
    .as("capped");
  const [row] = await db.select({ n: sql<number>`count(*)::int` }).from(capped);
  return row.n;
}
