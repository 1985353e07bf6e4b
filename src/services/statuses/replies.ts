import { and, asc, eq, gt, inArray, isNull, ne, sql } from "drizzle-orm";
import type { Tx } from "../../db/client.ts";
import { statuses, statusStats } from "../../db/schema/index.ts";
import type { Status } from "./types.ts";

/**
 * Moves a status's `replies_count` by `delta`, inside the caller's transaction, never below zero.
 * The row is created from the status itself (INSERT ... SELECT), so a parent deleted meanwhile
 * is simply not counted instead of failing the reply's write on the foreign key.
 */
export async function countReplies(tx: Tx, parentId: string, delta: number): Promise<void> {
  if (delta === 0) return;
  await tx.execute(sql`
    INSERT INTO ${statusStats} (status_id, replies_count)
    SELECT ${statuses.id}, GREATEST(${delta}::int, 0) FROM ${statuses} WHERE ${statuses.id} = ${parentId}
    ON CONFLICT (status_id) DO UPDATE
      SET replies_count = GREATEST(${statusStats.repliesCount} + ${delta}::int, 0)`);
}

/**
 * Replies that arrived before their parent (known by `in_reply_to_uri` only) are linked to it
 * once it is stored, and counted, in the transaction that stores it.
 *
 * NB: `in_reply_to_uri` has no index yet; this is a scan per newly stored remote status.
 */
export async function adoptOrphanReplies(tx: Tx, parent: Status): Promise<number> {
  const adopted = await tx
    .update(statuses)
    .set({ inReplyToId: parent.id, inReplyToAccountId: parent.accountId })
    .where(
      and(
        eq(statuses.inReplyToUri, parent.uri),
        isNull(statuses.inReplyToId),
        ne(statuses.id, parent.id),
      ),
    )
    .returning({ id: statuses.id });
  await countReplies(tx, parent.id, adopted.length);
  return adopted.length;
}

/**
 * One page of a status's public and unlisted replies, oldest first, after the reply `afterId`
 * (keyset paging). Followers-only and direct replies are never listed: the collection is public.
 */
export async function publicReplyPage(
  db: Tx,
  statusId: string,
  afterId: string | null,
  limit: number,
): Promise<{ uris: string[]; nextCursor: string | null }> {
  const rows = await db
    .select({ id: statuses.id, uri: statuses.uri })
    .from(statuses)
    .where(
      and(
        eq(statuses.inReplyToId, statusId),
        inArray(statuses.visibility, ["public", "unlisted"]),
        afterId ? gt(statuses.id, afterId) : undefined,
      ),
    )
    .orderBy(asc(statuses.id))
    .limit(limit);
  return {
    uris: rows.map((r) => r.uri),
    nextCursor: rows.length === limit ? rows[rows.length - 1].id : null,
  };
}
