import { sql } from "drizzle-orm";
import type { Tx } from "../../db/client.ts";
import { statusStats } from "../../db/schema/index.ts";

/** The `status_stats` counters that move by one with a row of their own (a favourite, a boost). */
type Counter = "favouritesCount" | "reblogsCount";

/** Moves one counter of a status with its row, in the row's transaction; never below zero. */
export async function bumpStatusStat(
  tx: Tx,
  statusId: string,
  counter: Counter,
  by: 1 | -1,
): Promise<void> {
  await tx
    .insert(statusStats)
    .values({ statusId, [counter]: Math.max(by, 0) })
    .onConflictDoUpdate({
      target: statusStats.statusId,
      set: { [counter]: sql`greatest(${statusStats[counter]} + ${by}, 0)` },
    });
}
