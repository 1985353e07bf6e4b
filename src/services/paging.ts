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

/**
 * A page's limit as a literal for a raw statement's `limit`: a prepared statement whose limit
 * is a parameter gets a generic plan costed for a tenth of the table, so PostgreSQL keeps
 * planning it again for every page. Pages are at most a few dozen rows, so the distinct texts
 * stay few.
 */
export function literalLimit(limit: number): SQL {
  if (!Number.isInteger(limit) || limit < 0 || limit > 1000) throw new Error(`bad limit ${limit}`);
  return sql.raw(String(limit));
}

/**
 * `literalLimit` for a drizzle select's `.limit()`, which embeds an SQL chunk as it is (its
 * dialect writes ` limit ${limit}` for a number or an object) although its type says number.
 */
export function pageLimit(limit: number): number {
  return literalLimit(limit) as unknown as number;
}
