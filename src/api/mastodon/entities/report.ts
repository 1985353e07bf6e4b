import { inArray } from "drizzle-orm";
import type { Tx } from "../../../db/client.ts";
import { accounts, type ReportCategory } from "../../../db/schema/index.ts";
import type { Report } from "../../../services/reports/reports.ts";
import { type MastodonAccount, serializeAccounts } from "./account.ts";

/** Mastodon's Report entity (https://docs.joinmastodon.org/entities/Report/). */
export interface MastodonReport {
  id: string;
  action_taken: boolean;
  action_taken_at: string | null;
  category: ReportCategory;
  comment: string;
  forwarded: boolean;
  created_at: string;
  status_ids: string[] | null;
  /** Collections are not a Tern feature: always empty. */
  collection_ids: string[];
  rule_ids: string[] | null;
  target_account: MastodonAccount;
}

/** Reports with their target accounts, in two queries whatever their number. */
export async function serializeReports(
  db: Tx,
  rows: Report[],
  publicUrl: string,
): Promise<MastodonReport[]> {
  if (rows.length === 0) return [];
  const ids = [...new Set(rows.map((r) => r.targetAccountId))];
  const targets = await db.select().from(accounts).where(inArray(accounts.id, ids));
  const byId = new Map((await serializeAccounts(db, targets, publicUrl)).map((a) => [a.id, a]));
  return rows.map((r) => ({
    id: r.id,
    action_taken: r.actionTakenAt !== null,
    action_taken_at: r.actionTakenAt?.toISOString() ?? null,
    category: r.category,
    comment: r.comment,
    forwarded: r.forwarded,
    created_at: r.createdAt.toISOString(),
    // Mastodon answers null for none.
    status_ids: r.statusIds.length ? r.statusIds : null,
    collection_ids: [],
    rule_ids: r.ruleIds.length ? r.ruleIds : null,
    target_account: byId.get(r.targetAccountId)!,
  }));
}
