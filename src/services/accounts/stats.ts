import { inArray } from "drizzle-orm";
import type { Tx } from "../../db/client.ts";
import { accountStats as accountStatsTable } from "../../db/schema/index.ts";
import type { Account } from "./accounts.ts";

export interface AccountStats {
  followers: number;
  following: number;
  statuses: number;
  lastStatusAt: Date | null;
}

/**
 * Counts for Account entities, read from the counters kept with every change (counters.ts): one
 * query for a whole page. Remote accounts show what their server reported, or what we have seen
 * if that is more.
 */
export async function accountStats(db: Tx, list: Account[]): Promise<Map<string, AccountStats>> {
  const out = new Map<string, AccountStats>();
  if (list.length === 0) return out;
  const ids = [...new Set(list.map((a) => a.id))];
  const rows = await db
    .select()
    .from(accountStatsTable)
    .where(inArray(accountStatsTable.accountId, ids));
  const byId = new Map(rows.map((r) => [r.accountId, r]));
  for (const account of list) {
    const r = byId.get(account.id);
    const local = account.domain === null;
    const seen = (here: number | undefined, reported: number) =>
      local ? (here ?? 0) : Math.max(reported, here ?? 0);
    out.set(account.id, {
      followers: seen(r?.followersCount, account.followersCount),
      following: seen(r?.followingCount, account.followingCount),
      statuses: seen(r?.statusesCount, account.statusesCount),
      lastStatusAt: r?.lastStatusAt ?? null,
    });
  }
  return out;
}
