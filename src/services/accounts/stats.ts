import { sql } from "drizzle-orm";
import { queryRows, type Tx } from "../../db/client.ts";
import type { Account } from "./accounts.ts";

export interface AccountStats {
  followers: number;
  following: number;
  statuses: number;
  lastStatusAt: Date | null;
}

/**
 * Counts for Account entities. Local accounts are counted from our tables; remote ones use what
 * their server reported, or what we have seen if that is more.
 */
export async function accountStats(db: Tx, list: Account[]): Promise<Map<string, AccountStats>> {
  const out = new Map<string, AccountStats>();
  if (list.length === 0) return out;
  const ids = [...new Set(list.map((a) => a.id))];
  const rows = await queryRows<{
    id: string;
    followers: number;
    following: number;
    statuses: number;
    last: Date | string | null;
  }>(
    db,
    sql`select a.id::text as id,
      (select count(*)::int from follows f where f.following_id = a.id and f.state = 'accepted') as followers,
      (select count(*)::int from follows f where f.follower_id = a.id and f.state = 'accepted') as following,
      (select count(*)::int from statuses s where s.account_id = a.id and s.visibility in ('public','unlisted','private')) as statuses,
      (select max(s.created_at) from statuses s where s.account_id = a.id) as last
    from accounts a where a.id in (${sql.join(
      ids.map((id) => sql`${id}`),
      sql`, `,
    )})`,
  );
  for (const account of list) {
    const r = rows.find((x) => x.id === account.id);
    const local = account.domain === null;
    out.set(account.id, {
      followers: local ? (r?.followers ?? 0) : Math.max(account.followersCount, r?.followers ?? 0),
      following: local ? (r?.following ?? 0) : Math.max(account.followingCount, r?.following ?? 0),
      statuses: local ? (r?.statuses ?? 0) : Math.max(account.statusesCount, r?.statuses ?? 0),
      lastStatusAt: r?.last ? new Date(r.last) : null,
    });
  }
  return out;
}
