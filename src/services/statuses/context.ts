import { inArray, sql } from "drizzle-orm";
import { queryRows, type Tx } from "../../db/client.ts";
import { statuses } from "../../db/schema/index.ts";
import { hiddenAuthors } from "../safety/hidden-authors.ts";
import { loadBundles } from "./load.ts";
import { getVisibleStatus } from "./local.ts";
import type { Status, StatusBundle } from "./types.ts";
import { visibleOnly } from "./visibility.ts";

/**
 * Mastodon's bounds (StatusesController#context): signed-in viewers get up to 4,096 ancestors and
 * descendants at any depth ("quasi-unlimited", the API has no paging); anonymous ones 40
 * ancestors and 60 descendants at most 20 replies deep, since a whole thread is expensive.
 */
export const CONTEXT_LIMIT = 4_096;
export const ANCESTORS_LIMIT = 40;
export const DESCENDANTS_LIMIT = 60;
export const DESCENDANTS_DEPTH_LIMIT = 20;

export interface StatusContext {
  ancestors: StatusBundle[];
  descendants: StatusBundle[];
}

/**
 * The thread around a status as `viewerId` may see it: ancestors oldest first, descendants
 * depth-first in creation order (ids sort by time). 404 when the status itself is hidden.
 * A constant number of queries whatever the thread's size: two recursive walks, one load of the
 * rows, one visibility check for all of them, one bundle load.
 */
export async function getStatusContext(
  db: Tx,
  statusId: string,
  viewerId: string | null,
): Promise<StatusContext> {
  const { status } = await getVisibleStatus(db, statusId, viewerId);
  const signedIn = viewerId !== null;
  const [up, down] = await Promise.all([
    status.inReplyToId ? ancestorIds(db, status, signedIn ? CONTEXT_LIMIT : ANCESTORS_LIMIT) : [],
    descendantIds(
      db,
      status.id,
      signedIn ? CONTEXT_LIMIT : DESCENDANTS_LIMIT,
      signedIn ? null : DESCENDANTS_DEPTH_LIMIT,
    ),
  ]);
  const ids = [...up, ...down];
  if (ids.length === 0) return { ancestors: [], descendants: [] };
  const rows = await db.select().from(statuses).where(inArray(statuses.id, ids));
  const byId = new Map(rows.map((r) => [r.id, r]));
  const inOrder = (list: string[]) =>
    list.map((id) => byId.get(id)).filter((r): r is Status => r !== undefined);
  // Replies (and parents) by accounts the viewer blocked, muted or was blocked by are left out.
  const hidden = await hiddenAuthors(
    db,
    viewerId,
    rows.map((r) => r.accountId),
    "all",
  );
  const shown = rows.filter((r) => !hidden.has(r.accountId));
  const visible = new Set((await visibleOnly(db, shown, viewerId)).map((r) => r.id));
  const ancestors = inOrder(up).filter((r) => visible.has(r.id));
  const descendants = inOrder(down).filter((r) => visible.has(r.id));
  const bundles = await loadBundles(db, [...ancestors, ...descendants]);
  return {
    ancestors: bundles.slice(0, ancestors.length),
    descendants: bundles.slice(ancestors.length),
  };
}

/** Walks `in_reply_to_id` up from the status, at most `limit` steps (and no loop); oldest first. */
async function ancestorIds(db: Tx, status: Status, limit: number): Promise<string[]> {
  const rows = await queryRows<{ id: string | number }>(
    db,
    sql`WITH RECURSIVE up(id, parent, path) AS (
          SELECT id, in_reply_to_id, ARRAY[${status.id}::bigint, id]
            FROM statuses WHERE id = ${status.inReplyToId}
          UNION ALL
          SELECT s.id, s.in_reply_to_id, up.path || s.id
            FROM up JOIN statuses s ON s.id = up.parent
           WHERE NOT s.id = ANY(up.path) AND array_length(up.path, 1) <= ${limit}
        )
        SELECT id FROM up WHERE id <> ${status.id} ORDER BY array_length(path, 1) DESC`,
  );
  return rows.map((r) => String(r.id));
}

/**
 * Replies of replies under `rootId` (index on `in_reply_to_id`), ordered by their path of ids:
 * depth-first, each level by creation. The path also stops a loop (a remote reply chain can be
 * made circular).
 */
async function descendantIds(
  db: Tx,
  rootId: string,
  limit: number,
  depthLimit: number | null,
): Promise<string[]> {
  const rows = await queryRows<{ id: string | number }>(
    db,
    sql`WITH RECURSIVE down(id, path) AS (
          SELECT id, ARRAY[id] FROM statuses WHERE in_reply_to_id = ${rootId} AND id <> ${rootId}
          UNION ALL
          SELECT s.id, down.path || s.id
            FROM down JOIN statuses s ON s.in_reply_to_id = down.id
           WHERE NOT s.id = ANY(down.path)
             AND (${depthLimit}::int IS NULL OR array_length(down.path, 1) < ${depthLimit}::int)
        )
        SELECT id FROM down ORDER BY path LIMIT ${limit}`,
  );
  return rows.map((r) => String(r.id));
}
