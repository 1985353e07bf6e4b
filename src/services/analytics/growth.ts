import { sql } from "drizzle-orm";
import type { Tx } from "../../db/client.ts";

/**
 * Follower growth of local accounts: follows that became accepted (`+1`) or accepted ones that
 * were removed (`-1`) are added to `follower_daily` for today (UTC) and the follower's server
 * (`''` for a local follower). One upsert for all rows, in the caller's transaction; follows of
 * remote accounts are left out (their growth is their server's to tell).
 */
export async function recordFollowerChanges(
  tx: Tx,
  rows: { followerId: string; followingId: string }[],
  delta: 1 | -1,
): Promise<void> {
  if (rows.length === 0) return;
  const pairs = sql.join(
    rows.map((r) => sql`(${r.followerId}::bigint, ${r.followingId}::bigint)`),
    sql`, `,
  );
  const gained = delta > 0 ? sql`count(*)::int` : sql`0`;
  const lost = delta < 0 ? sql`count(*)::int` : sql`0`;
  await tx.execute(sql`
    insert into follower_daily (account_id, day, domain, gained, lost)
    select t.id, (now() at time zone 'utc')::date, coalesce(f.domain, ''), ${gained}, ${lost}
    from (values ${pairs}) as v(follower_id, following_id)
    join accounts t on t.id = v.following_id and t.domain is null
    join accounts f on f.id = v.follower_id
    group by t.id, coalesce(f.domain, '')
    on conflict (account_id, day, domain) do update
      set gained = follower_daily.gained + excluded.gained,
          lost = follower_daily.lost + excluded.lost`);
}
