import { inArray } from "drizzle-orm";
import type { Tx } from "../../../db/client.ts";
import { reports } from "../../../db/schema/index.ts";
import type { NotificationType } from "../../../db/schema/notifications.ts";
import { accountsWithStats } from "../../../services/accounts/stats.ts";
import { warningsByIds } from "../../../services/admin/warnings.ts";
import type { Notification } from "../../../services/notifications/notifications.ts";
import { loadBundlesByIds } from "../../../services/statuses/load.ts";
import { type MastodonAccount, serializeAccounts } from "./account.ts";
import { type MastodonAccountWarning, serializeWarnings } from "./account-warning.ts";
import { type MastodonReport, serializeReports } from "./report.ts";
import { type MastodonStatus, serializeBundles } from "./status.ts";

/** Mastodon's Notification entity (https://docs.joinmastodon.org/entities/Notification/). */
export interface MastodonNotification {
  id: string;
  type: NotificationType;
  group_key: string;
  created_at: string;
  account: MastodonAccount;
  status?: MastodonStatus;
  /** `admin.report` only. */
  report?: MastodonReport;
  /** `moderation_warning` only. */
  moderation_warning?: MastodonAccountWarning;
}

/**
 * A page of notifications in a constant number of queries: their accounts in one, their statuses
 * (with everything a Status needs, and the viewer's flags) in `loadBundles`' few.
 */
export async function serializeNotifications(
  db: Tx,
  rows: Notification[],
  publicUrl: string,
  viewerId: string,
): Promise<MastodonNotification[]> {
  if (rows.length === 0) return [];
  const warned = rows.some((n) => n.accountWarningId);
  // A warning's target is the recipient: rendered with the page's other accounts.
  const accountIds = [
    ...new Set([...rows.map((n) => n.fromAccountId), ...(warned ? [viewerId] : [])]),
  ];
  const statusIds = [...new Set(rows.flatMap((n) => (n.statusId ? [n.statusId] : [])))];
  const reportIds = [...new Set(rows.flatMap((n) => (n.reportId ? [n.reportId] : [])))];
  const [people, bundles, reportRows, warningRows] = await Promise.all([
    accountsWithStats(db, accountIds),
    statusIds.length ? loadBundlesByIds(db, statusIds) : Promise.resolve([]),
    reportIds.length
      ? db.select().from(reports).where(inArray(reports.id, reportIds))
      : Promise.resolve([]),
    warningsByIds(
      db,
      rows.map((n) => n.accountWarningId),
    ),
  ]);
  const [serializedPeople, serializedStatuses, serializedReports] = await Promise.all([
    serializeAccounts(db, people, publicUrl),
    serializeBundles(db, bundles, publicUrl, viewerId),
    serializeReports(db, reportRows, publicUrl),
  ]);
  const reportOf = new Map(serializedReports.map((r) => [r.id, r]));
  const accountOf = new Map(serializedPeople.map((a) => [a.id, a]));
  const statusOf = new Map(serializedStatuses.map((s) => [s.id, s]));
  const warningOf = serializeWarnings(warningRows, (id) => accountOf.get(id));
  return rows.map((n) => {
    const status = n.statusId ? statusOf.get(n.statusId) : undefined;
    const report = n.reportId ? reportOf.get(n.reportId) : undefined;
    const warning = n.accountWarningId ? warningOf.get(n.accountWarningId) : undefined;
    return {
      id: n.id,
      type: n.type,
      group_key: n.groupKey,
      created_at: n.createdAt.toISOString(),
      account: accountOf.get(n.fromAccountId)!,
      ...(status ? { status } : {}),
      ...(report ? { report } : {}),
      ...(warning ? { moderation_warning: warning } : {}),
    };
  });
}
