import { asc, desc, gt, lt, type SQL } from "drizzle-orm";
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
 * Indexes that serve pages are ascending: PostgreSQL reads them backwards for `order by id desc`
 * (which means NULLS FIRST). An index declared `desc` (drizzle's `DESC NULLS LAST`) would match
 * neither direction and the whole range would be sorted.
 */
export function keyset(column: AnyPgColumn, page: Page) {
  const where: SQL[] = [];
  if (page.maxId) where.push(lt(column, page.maxId));
  if (page.sinceId) where.push(gt(column, page.sinceId));
  if (page.minId) where.push(gt(column, page.minId));
  const ascending = Boolean(page.minId) && !page.sinceId;
  return {
    where,
    order: ascending ? asc(column) : desc(column),
    newestFirst: <T>(rows: T[]): T[] => (ascending ? rows.reverse() : rows),
  };
}
