import { type SQL, sql } from "drizzle-orm";
import { queryRows, type Tx } from "../../db/client.ts";
import { notifyingAccount, visibleAuthor } from "../safety/hidden.ts";

const viewerList = (ids: string[]) => sql`unnest(${`{${ids.join(",")}}`}::bigint[]) as v(id)`;

async function passing(db: Tx, viewerIds: string[], where: SQL): Promise<Set<string>> {
  if (viewerIds.length === 0) return new Set();
  const rows = await queryRows<{ id: string }>(
    db,
    sql`select v.id::text as id from ${viewerList(viewerIds)} where ${where}`,
  );
  return new Set(rows.map((r) => String(r.id)));
}

/**
 * Of `viewerIds`, those who may be shown a post by `authorIds` (its author and, for a boost, the
 * boosted author): no block either way, no mute, no domain block. One query for all viewers.
 */
export function viewersOfAuthors(
  db: Tx,
  viewerIds: string[],
  authorIds: string[],
): Promise<Set<string>> {
  const conditions = authorIds.map((a) => visibleAuthor(sql`v.id`, sql`${a}::bigint`));
  return passing(db, viewerIds, sql.join(conditions, sql` and `));
}

/** Of `viewerIds`, those who hold the status in their home feed (an edit reaches them). */
export function viewersHolding(
  db: Tx,
  viewerIds: string[],
  statusId: string,
): Promise<Set<string>> {
  return passing(
    db,
    viewerIds,
    sql`exists (select 1 from home_feed h where h.account_id = v.id and h.status_id = ${statusId}::bigint)`,
  );
}

/**
 * Of `viewerIds`, those who may see a followers-only or direct status (its author, a mentioned
 * account, or, for followers-only, an accepted follower): what canView decides for one viewer.
 */
export function viewersOfPrivate(
  db: Tx,
  viewerIds: string[],
  status: { id: string; accountId: string; visibility: string },
): Promise<Set<string>> {
  const follower =
    status.visibility === "private"
      ? sql` or exists (select 1 from follows f where f.follower_id = v.id and f.following_id = ${status.accountId}::bigint and f.state = 'accepted')`
      : sql``;
  return passing(
    db,
    viewerIds,
    sql`(v.id = ${status.accountId}::bigint
      or exists (select 1 from mentions m where m.status_id = ${status.id}::bigint and m.account_id = v.id)${follower})`,
  );
}

/** Whether a notification caused by `fromAccountId` may reach `accountId` now (blocks, mutes). */
export async function notificationAllowed(
  db: Tx,
  accountId: string,
  fromAccountId: string,
): Promise<boolean> {
  const ok = await passing(
    db,
    [accountId],
    notifyingAccount(sql`v.id`, sql`${fromAccountId}::bigint`),
  );
  return ok.size > 0;
}

/** Whether the list is the account's own (nobody streams another's list). */
export async function ownsList(db: Tx, accountId: string, listId: string): Promise<boolean> {
  const rows = await queryRows<{ one: number }>(
    db,
    sql`select 1 as one from lists where id = ${listId}::bigint and account_id = ${accountId}::bigint`,
  );
  return rows.length > 0;
}

/**
 * Of the lists `listIds` (those streamed here), the ones a post by `authorId` belongs on: the
 * author is a member (members are accounts the owner follows, as in the list's feed).
 */
export async function listsWithMember(
  db: Tx,
  listIds: string[],
  authorId: string,
): Promise<Set<string>> {
  if (listIds.length === 0) return new Set();
  const rows = await queryRows<{ id: string }>(
    db,
    sql`select list_id::text as id from list_accounts
      where account_id = ${authorId}::bigint and list_id = any(${`{${listIds.join(",")}}`}::bigint[])`,
  );
  return new Set(rows.map((r) => String(r.id)));
}
