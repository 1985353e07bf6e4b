import { and, asc, desc, eq, gt, inArray, lt, type SQL } from "drizzle-orm";
import type { Tx } from "../../db/client.ts";
import { homeFeed, statuses } from "../../db/schema/index.ts";
import type { Status } from "../statuses/types.ts";

/** Mastodon's paging: max_id (older than), since_id (newer than, newest first), min_id (right after). */
export interface Page {
  maxId?: string;
  sinceId?: string;
  minId?: string;
  limit: number;
}

function pageBounds(column: typeof statuses.id, page: Page): { where: SQL[]; ascending: boolean } {
  const where: SQL[] = [];
  if (page.maxId) where.push(lt(column, page.maxId));
  if (page.sinceId) where.push(gt(column, page.sinceId));
  if (page.minId) where.push(gt(column, page.minId));
  return { where, ascending: Boolean(page.minId) && !page.sinceId };
}

/** The reader's materialized home feed: one index range scan on (account_id, status_id). */
export async function homeTimeline(db: Tx, accountId: string, page: Page): Promise<Status[]> {
  const { where, ascending } = pageBounds(homeFeed.statusId as unknown as typeof statuses.id, page);
  const rows = await db
    .select({ status: statuses })
    .from(homeFeed)
    .innerJoin(statuses, eq(statuses.id, homeFeed.statusId))
    .where(and(eq(homeFeed.accountId, accountId), ...where))
    .orderBy(ascending ? asc(homeFeed.statusId) : desc(homeFeed.statusId))
    .limit(page.limit);
  const list = rows.map((r) => r.status);
  return ascending ? list.reverse() : list;
}

/** Public posts, newest first; `local` only this server's, `remote` only others'. */
export async function publicTimeline(
  db: Tx,
  page: Page,
  scope: { local?: boolean; remote?: boolean },
): Promise<Status[]> {
  const { where, ascending } = pageBounds(statuses.id, page);
  if (scope.local) where.push(eq(statuses.local, true));
  if (scope.remote) where.push(eq(statuses.local, false));
  const rows = await db
    .select()
    .from(statuses)
    .where(and(eq(statuses.visibility, "public"), ...where))
    .orderBy(ascending ? asc(statuses.id) : desc(statuses.id))
    .limit(page.limit);
  return ascending ? rows.reverse() : rows;
}

/** Public and unlisted posts of one account (its profile), newest first. */
export async function accountStatuses(
  db: Tx,
  accountId: string,
  page: Page,
  includePrivate: boolean,
): Promise<Status[]> {
  const { where, ascending } = pageBounds(statuses.id, page);
  const visible = includePrivate ? ["public", "unlisted", "private"] : ["public", "unlisted"];
  const rows = await db
    .select()
    .from(statuses)
    .where(
      and(
        eq(statuses.accountId, accountId),
        inArray(statuses.visibility, visible as Status["visibility"][]),
        ...where,
      ),
    )
    .orderBy(ascending ? asc(statuses.id) : desc(statuses.id))
    .limit(page.limit);
  return ascending ? rows.reverse() : rows;
}
