import type { Tx } from "../../../db/client.ts";
import type { ReportCategory } from "../../../db/schema/index.ts";
import { getAdminAccounts } from "../../../services/admin/accounts.ts";
import { reportedRules, reportedStatuses } from "../../../services/admin/reports.ts";
import type { Report } from "../../../services/reports/reports.ts";
import { loadBundles } from "../../../services/statuses/load.ts";
import { type MastodonAdminAccount, serializeAdminAccounts } from "./admin-account.ts";
import { type MastodonStatus, serializeBundles } from "./status.ts";

/** Mastodon's Admin::Report entity (https://docs.joinmastodon.org/entities/Admin_Report/). */
export interface MastodonAdminReport {
  id: string;
  action_taken: boolean;
  action_taken_at: string | null;
  category: ReportCategory;
  comment: string;
  forwarded: boolean;
  created_at: string;
  updated_at: string;
  account: MastodonAdminAccount;
  target_account: MastodonAdminAccount;
  assigned_account: MastodonAdminAccount | null;
  action_taken_by_account: MastodonAdminAccount | null;
  statuses: MastodonStatus[];
  rules: { id: string; text: string; hint: string }[];
}

/** Reports with their four accounts, statuses and rules, in a constant number of queries. */
export async function serializeAdminReports(
  db: Tx,
  rows: Report[],
  publicUrl: string,
  viewerId: string,
): Promise<MastodonAdminReport[]> {
  if (rows.length === 0) return [];
  const ids = rows.flatMap((r) => [
    r.accountId,
    r.targetAccountId,
    ...(r.assignedAccountId ? [r.assignedAccountId] : []),
    ...(r.actionTakenByAccountId ? [r.actionTakenByAccountId] : []),
  ]);
  const [people, statusRows, rules] = await Promise.all([
    getAdminAccounts(db, ids),
    reportedStatuses(db, rows),
    reportedRules(db, rows),
  ]);
  const [entities, statusEntities] = await Promise.all([
    serializeAdminAccounts(db, people, publicUrl),
    serializeBundles(db, await loadBundles(db, statusRows), publicUrl, viewerId),
  ]);
  const person = new Map(entities.map((a) => [a.id, a]));
  const status = new Map(statusEntities.map((s) => [s.id, s]));
  const rule = new Map(rules.map((r) => [r.id, { id: r.id, text: r.text, hint: r.hint }]));
  const maybe = (id: string | null) => (id ? (person.get(id) ?? null) : null);
  return rows.map((r) => ({
    id: r.id,
    action_taken: r.actionTakenAt !== null,
    action_taken_at: r.actionTakenAt?.toISOString() ?? null,
    category: r.category,
    comment: r.comment,
    forwarded: r.forwarded,
    created_at: r.createdAt.toISOString(),
    updated_at: r.updatedAt.toISOString(),
    account: person.get(r.accountId)!,
    target_account: person.get(r.targetAccountId)!,
    assigned_account: maybe(r.assignedAccountId),
    action_taken_by_account: maybe(r.actionTakenByAccountId),
    statuses: r.statusIds.flatMap((id) => status.get(id) ?? []),
    rules: r.ruleIds.flatMap((id) => rule.get(id) ?? []),
  }));
}
