import { and, eq, type SQL, sql } from "drizzle-orm";
import { queryRows, type Tx } from "../../db/client.ts";
import { statuses, threadMutes } from "../../db/schema/index.ts";
import { notFound } from "../../lib/errors.ts";
import type { Account } from "../accounts/accounts.ts";
import { canView } from "./visibility.ts";

/** How far up a reply chain the root is looked for (a remote chain may be long, or a loop). */
const MAX_DEPTH = 256;

/**
 * The ids above a status, itself included, as a recursive walk of `in_reply_to_id` (primary key
 * lookups; the path stops a loop). `start` is SQL so it can be a column of an outer query.
 */
const chainUp = (start: SQL) => sql`with recursive up(id, parent, path) as (
    select s.id, s.in_reply_to_id, array[s.id] from statuses s where s.id = ${start}
    union all
    select s.id, s.in_reply_to_id, up.path || s.id from up join statuses s on s.id = up.parent
     where not s.id = any(up.path) and array_length(up.path, 1) < ${MAX_DEPTH}
  )`;

/** The root of the thread a status belongs to (itself when it answers nothing known here). */
export async function threadRootId(db: Tx, statusId: string): Promise<string> {
  const rows = await queryRows<{ id: string | number }>(
    db,
    sql`${chainUp(sql`${statusId}::bigint`)} select id from up order by array_length(path, 1) desc limit 1`,
  );
  return rows.length ? String(rows[0].id) : statusId;
}

/**
 * SQL true when the notification about `statusId` may reach `accountId`: no thread the status
 * belongs to is muted by that account. Null status (follows): always true.
 */
export function threadNotMuted(accountId: SQL, statusId: SQL): SQL {
  // Most accounts mute no thread: one primary-key probe spares them the walk.
  return sql`(${statusId} is null
    or not exists (select 1 from thread_mutes t0 where t0.account_id = ${accountId})
    or not exists (${chainUp(statusId)}
    select 1 from up join thread_mutes tm on tm.root_status_id = up.id and tm.account_id = ${accountId}))`;
}

async function visibleStatus(db: Tx, statusId: string, viewerId: string) {
  const [status] = await db.select().from(statuses).where(eq(statuses.id, statusId));
  if (!status || !(await canView(db, status, viewerId))) throw notFound();
  return status;
}

/** `POST /statuses/:id/mute`: no more notifications from its thread (a status one may see). */
export async function muteThread(db: Tx, account: Account, statusId: string): Promise<void> {
  const status = await visibleStatus(db, statusId, account.id);
  const rootStatusId = await threadRootId(db, status.id);
  await db
    .insert(threadMutes)
    .values({ accountId: account.id, rootStatusId })
    .onConflictDoNothing();
}

export async function unmuteThread(db: Tx, account: Account, statusId: string): Promise<void> {
  const status = await visibleStatus(db, statusId, account.id);
  const rootStatusId = await threadRootId(db, status.id);
  await db
    .delete(threadMutes)
    .where(and(eq(threadMutes.accountId, account.id), eq(threadMutes.rootStatusId, rootStatusId)));
}
