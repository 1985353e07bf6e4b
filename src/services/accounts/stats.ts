import { inArray, sql } from "drizzle-orm";
import { queryRows, type Tx } from "../../db/client.ts";
import { fromJsonRow, idArray, jsonRow } from "../../db/json-row.ts";
import { accountStats as accountStatsTable, accounts } from "../../db/schema/index.ts";
import type { Account } from "./accounts.ts";

export interface AccountStats {
  followers: number;
  following: number;
  statuses: number;
  lastStatusAt: Date | null;
}

type StatsRow = typeof accountStatsTable.$inferSelect;

/**
 * Counters read along with the account in a bigger statement (a page's authors come with the
 * page's statuses): kept by the account object itself, which lives as long as the request that
 * loaded it, so `accountStats` asks only for the others.
 */
const preloaded = new WeakMap<Account, StatsRow | null>();

/** `row`: null when the account has no counters row yet (all zero). */
export function rememberStats(account: Account, row: StatsRow | null): void {
  preloaded.set(account, row);
}

/**
 * Counts for Account entities, read from the counters kept with every change (counters.ts): one
 * query for a whole page. Remote accounts show what their server reported, or what we have seen
 * if that is more.
 */
export async function accountStats(db: Tx, list: Account[]): Promise<Map<string, AccountStats>> {
  const out = new Map<string, AccountStats>();
  if (list.length === 0) return out;
  const byId = new Map<string, StatsRow>();
  const known = new Set<string>();
  for (const a of list) {
    const row = preloaded.get(a);
    if (row === undefined) continue;
    known.add(a.id);
    if (row) byId.set(a.id, row);
  }
  const ids = [...new Set(list.filter((a) => !known.has(a.id)).map((a) => a.id))];
  const rows = ids.length
    ? await db.select().from(accountStatsTable).where(inArray(accountStatsTable.accountId, ids))
    : [];
  for (const r of rows) byId.set(r.accountId, r);
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

/** Accounts by id with their counters, in one statement (`accountStats` then asks nothing more). */
export async function accountsWithStats(db: Tx, ids: string[]): Promise<Account[]> {
  if (ids.length === 0) return [];
  const rows = await queryRows<{
    account: Record<string, unknown>;
    stats: Record<string, unknown> | null;
  }>(
    db,
    sql`select ${jsonRow(accounts, "a")} as account,
        case when st.account_id is null then null else ${jsonRow(accountStatsTable, "st")} end as stats
      from accounts a left join account_stats st on st.account_id = a.id
      where a.id = any(${idArray(ids)})`,
  );
  return rows.map((r) => {
    const account = fromJsonRow<Account>(accounts, r.account);
    rememberStats(account, r.stats ? fromJsonRow<StatsRow>(accountStatsTable, r.stats) : null);
    return account;
  });
}
