import { sql } from "drizzle-orm";
import type { Tx } from "../../db/client.ts";
import type { Visibility } from "../../db/schema/statuses.ts";
import { recordFollowerChanges } from "../analytics/growth.ts";

/**
 * Keeps `account_stats` in step with the change, in the caller's transaction: one upsert per
 * account and change, so concurrent changes serialize on the row lock and the count stays exact. Callers
 * only call these when a row really changed state (the rows an insert, update or delete
 * returned), so a re-sent activity never counts twice.
 */

interface Delta {
  accountId: string;
  statuses?: number;
  followers?: number;
  following?: number;
  lastStatusAt?: Date;
}

async function bump(tx: Tx, d: Delta): Promise<void> {
  const st = d.statuses ?? 0;
  const fr = d.followers ?? 0;
  const fg = d.following ?? 0;
  if (st < 0 || fr < 0 || fg < 0) {
    // A missing row means zero, and zero minus one stays zero: a decrement is a plain update.
    await tx.execute(sql`update account_stats set
        statuses_count = greatest(statuses_count + ${st}::int, 0),
        followers_count = greatest(followers_count + ${fr}::int, 0),
        following_count = greatest(following_count + ${fg}::int, 0)
      where account_id = ${d.accountId}`);
    return;
  }
  const last = d.lastStatusAt?.toISOString() ?? null;
  await tx.execute(sql`
    insert into account_stats as s
      (account_id, statuses_count, followers_count, following_count, last_status_at)
    values (${d.accountId}, ${st}::int, ${fr}::int, ${fg}::int, ${last}::timestamptz)
    on conflict (account_id) do update set
      statuses_count = s.statuses_count + excluded.statuses_count,
      followers_count = s.followers_count + excluded.followers_count,
      following_count = s.following_count + excluded.following_count,
      last_status_at = greatest(s.last_status_at, excluded.last_status_at)`);
}

/** Direct messages count nowhere (as on Mastodon): not even their time shows on the profile. */
const counted = (visibility: Visibility) => visibility !== "direct";

/** A status was stored (`+1`) or deleted (`-1`). A deletion leaves `last_status_at` as it was. */
export async function countStatus(
  tx: Tx,
  status: { accountId: string; visibility: Visibility; createdAt: Date },
  delta: 1 | -1,
): Promise<void> {
  if (!counted(status.visibility)) return;
  await bump(tx, {
    accountId: status.accountId,
    statuses: delta,
    lastStatusAt: delta > 0 ? status.createdAt : undefined,
  });
}

/**
 * Follows that became accepted (`+1`) or accepted ones that were removed (`-1`); pass only those
 * (a pending request counts nowhere).
 */
export async function countFollows(
  tx: Tx,
  rows: { followerId: string; followingId: string }[],
  delta: 1 | -1,
): Promise<void> {
  for (const row of rows) {
    // Always in id order: two follows in opposite directions at once must not deadlock.
    const changes: Delta[] = [
      { accountId: row.followingId, followers: delta },
      { accountId: row.followerId, following: delta },
    ];
    changes.sort((a, b) => (BigInt(a.accountId) < BigInt(b.accountId) ? -1 : 1));
    for (const change of changes) await bump(tx, change);
  }
  await recordFollowerChanges(tx, rows, delta);
}
