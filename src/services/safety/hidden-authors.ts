import { sql } from "drizzle-orm";
import { queryRows, type Tx } from "../../db/client.ts";
import { notBlocked, visibleAuthor } from "./hidden.ts";

/**
 * Which of `authorIds` the viewer must not see, in one query: `blocked` (either way: statuses by
 * id, favourited_by) or `all` (also mutes and domain blocks: threads, lists of posts).
 */
export async function hiddenAuthors(
  db: Tx,
  viewerId: string | null,
  authorIds: string[],
  how: "blocked" | "all",
): Promise<Set<string>> {
  const ids = [...new Set(authorIds)];
  // Suspended authors are hidden from everyone, so even a signed-out page asks (one query).
  if (ids.length === 0) return new Set();
  const shown =
    how === "all" ? visibleAuthor(viewerId, sql`a.id`) : notBlocked(viewerId, sql`a.id`);
  const rows = await queryRows<{ id: string }>(
    db,
    sql`select a.id::text as id from accounts a where a.id in (${sql.join(
      ids.map((id) => sql`${id}::bigint`),
      sql`, `,
    )}) and not (${shown})`,
  );
  return new Set(rows.map((r) => String(r.id)));
}

/**
 * True when the author blocked the viewer, or was suspended by this server's moderators: their
 * posts are not found for that viewer. One query, signed in or not.
 */
export async function authorBlocksViewer(
  db: Tx,
  authorId: string,
  viewerId: string | null,
): Promise<boolean> {
  const blocks =
    viewerId && viewerId !== authorId
      ? sql` or exists (select 1 from blocks where account_id = ${authorId} and target_account_id = ${viewerId})`
      : sql``;
  const rows = await queryRows<{ one: number }>(
    db,
    sql`select 1 as one from accounts a where a.id = ${authorId} and (a.suspended_at is not null${blocks})`,
  );
  return rows.length > 0;
}
