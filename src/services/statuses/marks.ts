import { and, eq, inArray } from "drizzle-orm";
import type { PgColumn, PgTable } from "drizzle-orm/pg-core";
import type { Tx } from "../../db/client.ts";
import { statuses } from "../../db/schema/index.ts";
import { keyset, type Page, pageLimit } from "../paging.ts";
import type { Status } from "./types.ts";

/** A table of marks an account puts on statuses: favourites, bookmarks, pins. */
type MarkTable = PgTable & { accountId: PgColumn; statusId: PgColumn };

/** Which of `statusIds` `viewerId` marked in `table`: one query for a whole page. */
export async function markedAmong(
  db: Tx,
  table: MarkTable,
  viewerId: string,
  statusIds: string[],
): Promise<Set<string>> {
  if (statusIds.length === 0) return new Set();
  const rows = await db
    .select({ statusId: table.statusId })
    .from(table)
    .where(and(eq(table.accountId, viewerId), inArray(table.statusId, statusIds)));
  return new Set(rows.map((r) => r.statusId as string));
}

/**
 * An account's marked statuses, newest mark first, paged by the mark's own id (one range scan on
 * the table's (account_id, id desc) index). Statuses the account can no longer see stay listed:
 * it could when it marked them, as Mastodon keeps them.
 */
export async function listMarkedStatuses(
  db: Tx,
  table: MarkTable & { id: PgColumn },
  accountId: string,
  page: Page,
): Promise<{ markId: string; status: Status }[]> {
  const b = keyset(table.id, page);
  const rows = await db
    .select({ markId: table.id, status: statuses })
    .from(table)
    .innerJoin(statuses, eq(statuses.id, table.statusId))
    .where(and(eq(table.accountId, accountId), ...b.where))
    .orderBy(b.order)
    .limit(pageLimit(page.limit));
  return b.newestFirst(rows).map((r) => ({ markId: r.markId as string, status: r.status }));
}
