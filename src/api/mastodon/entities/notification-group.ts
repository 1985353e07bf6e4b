import { inArray } from "drizzle-orm";
import type { Tx } from "../../../db/client.ts";
import { reports } from "../../../db/schema/index.ts";
import type { NotificationType } from "../../../db/schema/notifications.ts";
import { accountsWithStats } from "../../../services/accounts/stats.ts";
import { warningsByIds } from "../../../services/admin/warnings.ts";
import type { NotificationGroup } from "../../../services/notifications/grouped.ts";
import { loadBundlesByIds } from "../../../services/statuses/load.ts";
import { type MastodonAccount, serializeAccounts } from "./account.ts";
import { type MastodonAccountWarning, serializeWarnings } from "./account-warning.ts";
import { type MastodonReport, serializeReports } from "./report.ts";
import { type MastodonStatus, serializeBundles } from "./status.ts";

/** Mastodon's NotificationGroup (https://docs.joinmastodon.org/methods/grouped_notifications/). */
export interface MastodonNotificationGroup {
  group_key: string;
  notifications_count: number;
  type: NotificationType;
  most_recent_notification_id: string;
  /** Only when paging through groups. */
  page_min_id?: string;
  page_max_id?: string;
  latest_page_notification_at?: string;
  sample_account_ids: string[];
  status_id?: string;
  /** `admin.report` only. */
  report?: MastodonReport;
  /** `moderation_warning` only. */
  moderation_warning?: MastodonAccountWarning;
}

/** Mastodon's PartialAccountWithAvatar (`expand_accounts=partial_avatars`). */
export interface MastodonPartialAccount {
  id: string;
  acct: string;
  locked: boolean;
  bot: boolean;
  url: string;
  avatar: string;
  avatar_static: string;
  avatar_description: string;
}

/** Mastodon's GroupedNotificationsResults: accounts and statuses once, groups pointing at them. */
export interface GroupedNotificationsResults {
  accounts: MastodonAccount[];
  partial_accounts?: MastodonPartialAccount[];
  statuses: MastodonStatus[];
  notification_groups: MastodonNotificationGroup[];
}

/** The types whose group names a status (Mastodon attaches `status_id` to these). */
const STATUS_TYPES: readonly NotificationType[] = [
  "favourite",
  "reblog",
  "status",
  "mention",
  "poll",
  "update",
  "quote",
  "quoted_update",
];

const partial = (a: MastodonAccount): MastodonPartialAccount => ({
  id: a.id,
  acct: a.acct,
  locked: a.locked,
  bot: a.bot,
  url: a.url,
  avatar: a.avatar,
  avatar_static: a.avatar_static,
  avatar_description: a.avatar_description,
});

/**
 * Groups with their accounts and statuses in a constant number of queries, whatever the page
 * holds. With `partial_avatars`, only each group's newest account and the statuses' authors are
 * rendered in full; the other sample accounts come stripped down in `partial_accounts`.
 */
export async function serializeGroups(
  db: Tx,
  groups: NotificationGroup[],
  publicUrl: string,
  viewerId: string,
  expand: "full" | "partial_avatars" = "full",
): Promise<GroupedNotificationsResults> {
  const withStatus = (g: NotificationGroup) =>
    STATUS_TYPES.includes(g.notification.type) ? g.notification.statusId : null;
  const statusIds = [...new Set(groups.flatMap((g) => withStatus(g) ?? []))];
  const sampleIds = [...new Set(groups.flatMap((g) => g.sampleAccountIds))];
  const warned = groups.some((g) => g.notification.accountWarningId);
  const [bundles, people, warningRows, viewer] = await Promise.all([
    statusIds.length ? loadBundlesByIds(db, statusIds) : Promise.resolve([]),
    accountsWithStats(db, sampleIds),
    warningsByIds(
      db,
      groups.map((g) => g.notification.accountWarningId),
    ),
    // A warning's target is the viewer, rendered inside the warning (not in `accounts`).
    warned && !sampleIds.includes(viewerId) ? accountsWithStats(db, [viewerId]) : [],
  ]);
  const reportIds = [...new Set(groups.flatMap((g) => g.notification.reportId ?? []))];
  const reportRows = reportIds.length
    ? await db.select().from(reports).where(inArray(reports.id, reportIds))
    : [];
  const reportOf = new Map(
    (await serializeReports(db, reportRows, publicUrl)).map((r) => [r.id, r]),
  );
  const authors = [...new Map(bundles.map((b) => [b.account.id, b.account])).values()].filter(
    (a) => !sampleIds.includes(a.id),
  );
  const [serializedPeople, serializedStatuses, serializedViewer] = await Promise.all([
    serializeAccounts(db, [...people, ...authors], publicUrl),
    serializeBundles(db, bundles, publicUrl, viewerId),
    serializeAccounts(db, viewer, publicUrl),
  ]);
  const rendered = new Map([...serializedPeople, ...serializedViewer].map((a) => [a.id, a]));
  const warningOf = serializeWarnings(warningRows, (id) => rendered.get(id));
  const shownStatus = new Set(serializedStatuses.map((s) => s.id));
  const full = new Set<string>(bundles.map((b) => b.account.id));
  for (const g of groups) if (g.sampleAccountIds[0]) full.add(g.sampleAccountIds[0]);
  const inFull = (a: MastodonAccount) => expand === "full" || full.has(a.id);
  const results: GroupedNotificationsResults = {
    accounts: serializedPeople.filter(inFull),
    statuses: serializedStatuses,
    notification_groups: groups.map((g) => {
      const statusId = withStatus(g);
      return {
        group_key: g.groupKey,
        notifications_count: g.count,
        type: g.notification.type,
        most_recent_notification_id: g.mostRecentId,
        ...(g.page
          ? {
              page_min_id: g.page.minId,
              page_max_id: g.page.maxId,
              latest_page_notification_at: g.page.latestAt.toISOString(),
            }
          : {}),
        sample_account_ids: g.sampleAccountIds,
        ...(statusId && shownStatus.has(statusId) ? { status_id: statusId } : {}),
        ...(g.notification.reportId && reportOf.has(g.notification.reportId)
          ? { report: reportOf.get(g.notification.reportId) }
          : {}),
        ...(g.notification.accountWarningId && warningOf.has(g.notification.accountWarningId)
          ? { moderation_warning: warningOf.get(g.notification.accountWarningId) }
          : {}),
      };
    }),
  };
  if (expand === "partial_avatars")
    results.partial_accounts = serializedPeople.filter((a) => !inFull(a)).map(partial);
  return results;
}
