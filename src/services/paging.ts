import { asc, desc, gt, lt, type SQL, sql } from "drizzle-orm";
import type { AnyPgColumn } from "drizzle-orm/pg-core";

/** Mastodon's paging: max_id (older than), since_id (newer than, newest first), min_id (right after). */
export interface Page {
  maxId?: string;
  sinceId?: string;
  minId?: string;
  limit: number;
}

/**
 * Keyset bounds of a page on one id column, for an index range scan: the conditions, the order,
 * and whether the rows come back oldest first (min_id alone) and must be reversed with `newestFirst`.
 *
 * `descNullsLast`: the index to read is drizzle's `.desc()` (`DESC NULLS LAST`). PostgreSQL only
 * reads an index in an order it matches nulls included, and a plain `order by id desc` means
 * NULLS FIRST: it would sort the whole range instead (ids are never null, so the order is the same).
 */
export function keyset(column: AnyPgColumn, page: Page, descNullsLast = false) {
  const where: SQL[] = [];
  if (page.maxId) where.push(lt(column, page.maxId));
  if (page.sinceId) where.push(gt(column, page.sinceId));
  if (page.minId) where.push(gt(column, page.minId));
  const ascending = Boolean(page.minId) && !page.sinceId;
  return {
    where,
    order: descNullsLast
      ? ascending
        ? sql`${column} asc nulls first`
        : sql`${column} desc nulls last`
      : ascending
        ? asc(column)
        : desc(column),
    newestFirst: <T>(rows: T[]): T[] => (ascending ? rows.reverse() : rows),
  };
}
