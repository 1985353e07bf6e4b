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
  if (!viewerId || ids.length === 0) return new Set();
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

/** True when the author blocked the viewer: their posts are not found for that viewer. */
export async function authorBlocksViewer(
  db: Tx,
  authorId: string,
  viewerId: string | null,
): Promise<boolean> {
  if (!viewerId || viewerId === authorId) return false;
  const rows = await queryRows<{ one: number }>(
    db,
    sql`select 1 as one from blocks where account_id = ${authorId} and target_account_id = ${viewerId}`,
  );
  return rows.length > 0;
}
