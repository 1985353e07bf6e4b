import { and, eq, inArray, isNull, type SQL, sql } from "drizzle-orm";
import type { Tx } from "../../db/client.ts";
import { homeFeed, statuses } from "../../db/schema/index.ts";
import { keyset, literalLimit, type Page, pageLimit } from "../paging.ts";
import { notSilenced, suspended, visibleAuthor } from "../safety/hidden.ts";
import { silencedAuthor } from "../safety/server-domains.ts";
import { loadPageBundles } from "../statuses/load.ts";
import type { Status, StatusBundle } from "../statuses/types.ts";
import {
  type AccountStatusFilters,
  accountFilterConditions,
  hasMediaAttachments,
} from "./account-filters.ts";

/**
 * The viewer's blocks and mutes (and domain blocks), for the author and, on a boost, the boosted
 * author: posts fanned out before a block or mute leave the viewer's reads at once.
 */
function shownTo(viewerId: string | null): SQL {
  const original = sql`(select o.account_id from statuses o where o.id = ${statuses.reblogOfId})`;
  return sql`${visibleAuthor(viewerId, statuses.accountId)} and (${statuses.reblogOfId} is null or ${visibleAuthor(viewerId, original)})`;
}

/**
 * The reader's materialized home feed: one index range scan on (account_id, status_id). The
 * limit is written into the text (`literalLimit`): bound as a parameter, PostgreSQL costs the
 * generic plan as if a tenth of the feed were read and plans every page again (several times
 * the cost of running it). The page runs inside the statement that loads its bundles
 * (`loadPageBundles`): one round trip for the page and all it shows.
 */
export async function homeTimeline(db: Tx, accountId: string, page: Page): Promise<StatusBundle[]> {
  const { where, order } = keyset(homeFeed.statusId, page);
  return loadPageBundles(
    db,
    sql`select ${homeFeed.statusId} as id
      from ${homeFeed} join ${statuses} on ${statuses.id} = ${homeFeed.statusId}
      where ${and(eq(homeFeed.accountId, accountId), shownTo(accountId), ...where)}
      order by ${order} limit ${literalLimit(page.limit)}`,
    accountId,
  );
}

/**
 * Public posts, newest first, with their bundles (the page runs inside the bundle statement);
 * `local` only this server's, `remote` only others'. No boosts (Mastodon).
 */
export async function publicTimeline(
  db: Tx,
  page: Page,
  scope: { local?: boolean; remote?: boolean; onlyMedia?: boolean },
  viewerId: string | null = null,
): Promise<StatusBundle[]> {
  const { where, order } = keyset(statuses.id, page);
  // A literal, not a bound `= $1`: a generic (prepared) plan can then still match the partial
  // statuses_local_public_idx, whose predicate is `visibility = 'public' and local`.
  if (scope.local) where.push(sql`${statuses.local}`);
  if (scope.remote) where.push(eq(statuses.local, false));
  if (scope.onlyMedia) where.push(hasMediaAttachments());
  const ids = db
    .select({ id: statuses.id })
    .from(statuses)
    .where(
      and(
        sql`${statuses.visibility} = 'public'`,
        isNull(statuses.reblogOfId),
        visibleAuthor(viewerId, statuses.accountId),
        sql`not ${silencedAuthor(statuses.accountId)}`,
        // Accounts silenced by the moderators stay off public timelines (Mastodon's PublicFeed).
        notSilenced(statuses.accountId),
        ...where,
      ),
    )
    .orderBy(order)
    .limit(pageLimit(page.limit));
  return loadPageBundles(db, ids.getSQL(), viewerId);
}

/**
 * Public and unlisted posts of one account (its profile), newest first, with its boosts (as
 * Mastodon lists them), filtered as asked.
 */
export async function accountStatuses(
  db: Tx,
  accountId: string,
  page: Page,
  includePrivate: boolean,
  filters: AccountStatusFilters = {},
): Promise<Status[]> {
  const { where, order, newestFirst } = keyset(statuses.id, page);
  where.push(...accountFilterConditions(db, accountId, filters));
  const visible = includePrivate ? ["public", "unlisted", "private"] : ["public", "unlisted"];
  const rows = await db
    .select()
    .from(statuses)
    .where(
      and(
        eq(statuses.accountId, accountId),
        inArray(statuses.visibility, visible as Status["visibility"][]),
        // A suspended account's profile lists nothing (one probe, not one per row).
        sql`not ${suspended(accountId)}`,
        ...where,
      ),
    )
    .orderBy(order)
    .limit(pageLimit(page.limit));
  return newestFirst(rows);
}
