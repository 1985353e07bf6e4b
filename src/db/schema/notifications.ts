import { sql } from "drizzle-orm";
import { index, integer, pgTable, primaryKey, text, uniqueIndex } from "drizzle-orm/pg-core";
import { accounts } from "./accounts.ts";
import { createdAt, id, tstz } from "./columns.ts";
import { accountWarnings } from "./moderation.ts";
import { reports } from "./reports.ts";
import { statuses } from "./statuses.ts";

/** Mastodon's notification types (its `Notification` entity); more come with their features. */
export const notificationTypes = [
  "mention",
  "status",
  "reblog",
  "follow",
  "follow_request",
  "favourite",
  "poll",
  "update",
  "quote",
  "quoted_update",
  /** To local admins and moderators: a report was filed (the entity carries `report`). */
  "admin.report",
  /** To local admins and moderators: someone signed up (and may wait for approval). */
  "admin.sign_up",
  /** The account was moderated (Mastodon's `moderation_warning`), or a relationship cut. */
  "moderation_warning",
  "severed_relationships",
] as const;
export type NotificationType = (typeof notificationTypes)[number];

/**
 * One notification for `accountId` (always a local account), written in the same transaction as
 * the event. `groupKey` is what v2's grouped notifications group by (e.g. every favourite of one
 * status); ungroupable types get a key of their own.
 */
export const notifications = pgTable(
  "notifications",
  {
    id: id("id").primaryKey(),
    accountId: id("account_id")
      .notNull()
      .references(() => accounts.id, { onDelete: "cascade" }),
    type: text("type", { enum: notificationTypes }).notNull(),
    fromAccountId: id("from_account_id")
      .notNull()
      .references(() => accounts.id, { onDelete: "cascade" }),
    /** The status it is about (mention, favourite, reblog, ...); null for follows. */
    statusId: id("status_id").references(() => statuses.id, { onDelete: "cascade" }),
    /** The report an `admin.report` is about. */
    reportId: id("report_id").references(() => reports.id, { onDelete: "cascade" }),
    /** The warning a `moderation_warning` is about. */
    accountWarningId: id("account_warning_id").references(() => accountWarnings.id, {
      onDelete: "cascade",
    }),
    groupKey: text("group_key").notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    // The v1 and v2 lists: one index range scan per page, newest first.
    index("notifications_account_idx").on(t.accountId, t.id),
    index("notifications_group_idx").on(t.accountId, t.groupKey, t.id),
    // The same event twice (a favourite undone and redone, a Follow re-sent) notifies once.
    uniqueIndex("notifications_event_key").on(
      t.accountId,
      t.type,
      t.fromAccountId,
      sql`coalesce(${t.statusId}, 0)`,
      // Every report notifies, even two by one reporter.
      sql`coalesce(${t.reportId}, 0)`,
      // Every moderation warning notifies.
      sql`coalesce(${t.accountWarningId}, 0)`,
    ),
  ],
);

/** Reading positions kept for apps (`/api/v1/markers`): the last read home status and notification. */
export const markers = pgTable(
  "markers",
  {
    accountId: id("account_id")
      .notNull()
      .references(() => accounts.id, { onDelete: "cascade" }),
    timeline: text("timeline", { enum: ["home", "notifications"] }).notNull(),
    lastReadId: id("last_read_id").notNull(),
    /** Bumped on every save (Mastodon's optimistic `version`). */
    version: integer("version").notNull().default(0),
    updatedAt: tstz("updated_at").notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.accountId, t.timeline] })],
);
