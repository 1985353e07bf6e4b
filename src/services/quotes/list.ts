import { and, eq } from "drizzle-orm";
import type { Tx } from "../../db/client.ts";
import { quotes, statuses } from "../../db/schema/index.ts";
import type { Account } from "../accounts/accounts.ts";
import { keyset, type Page } from "../paging.ts";
import { ownStatus } from "../statuses/local.ts";
import type { Status } from "../statuses/types.ts";
import { visibleOnly } from "../statuses/visibility.ts";

/**
 * GET /api/v1/statuses/:id/quotes: the accepted quotes of one of the viewer's own posts (someone
 * else's post is a 404, as Mastodon 4.5 keeps this list to the author), newest quote first,
 * paged by the quote's id; quotes the viewer may not see are left out of the page.
 */
export async function listQuotes(
  db: Tx,
  viewer: Account,
  statusId: string,
  page: Page,
): Promise<{ quoteIds: string[]; statuses: Status[] }> {
  const quoted = await ownStatus(db, viewer, statusId);
  const k = keyset(quotes.id, page);
  const rows = k.newestFirst(
    await db
      .select({ quoteId: quotes.id, status: statuses })
      .from(quotes)
      .innerJoin(statuses, eq(statuses.id, quotes.statusId))
      .where(and(eq(quotes.quotedStatusId, quoted.id), eq(quotes.state, "accepted"), ...k.where))
      .orderBy(k.order)
      .limit(page.limit),
  );
  const visible = new Set(
    (
      await visibleOnly(
        db,
        rows.map((r) => r.status),
        viewer.id,
      )
    ).map((s) => s.id),
  );
  return {
    quoteIds: rows.map((r) => r.quoteId),
    statuses: rows.map((r) => r.status).filter((s) => visible.has(s.id)),
  };
}
