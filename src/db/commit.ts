import { sql } from "drizzle-orm";
import type { Tx } from "./client.ts";

/**
 * The transaction's commit returns before its log reaches the disk (`synchronous_commit` off for
 * this transaction only): a crash can lose it, never corrupt it. Only for work that is redone
 * when lost, such as what a queued job writes before the job's own row is deleted.
 */
export async function commitWithoutWaiting(tx: Tx): Promise<void> {
  await tx.execute(sql`select set_config('synchronous_commit', 'off', true)`);
}
