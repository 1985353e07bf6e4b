import { index, jsonb, pgTable, text } from "drizzle-orm/pg-core";
import { accounts } from "./accounts.ts";
import { createdAt, id } from "./columns.ts";
import { reports } from "./reports.ts";

/** What a moderator did to an account (Mastodon's `AccountWarning` actions). */
export const accountWarningActions = [
  "none",
  "disable",
  "mark_statuses_as_sensitive",
  "delete_statuses",
  "sensitive",
  "silence",
  "suspend",
] as const;
export type AccountWarningAction = (typeof accountWarningActions)[number];

/**
 * A moderation decision told to the local account it was taken against (a `moderation_warning`
 * notification carries it): the action, the moderator's text, the report and statuses behind it.
 */
export const accountWarnings = pgTable(
  "account_warnings",
  {
    id: id("id").primaryKey(),
    /** The moderated account. */
    targetAccountId: id("target_account_id")
      .notNull()
      .references(() => accounts.id, { onDelete: "cascade" }),
    /** The moderator; null once their account is gone. */
    accountId: id("account_id").references(() => accounts.id, { onDelete: "set null" }),
    action: text("action", { enum: accountWarningActions }).notNull(),
    text: text("text").notNull().default(""),
    reportId: id("report_id").references(() => reports.id, { onDelete: "set null" }),
    statusIds: jsonb("status_ids").$type<string[]>().notNull().default([]),
    createdAt: createdAt(),
  },
  (t) => [index("account_warnings_target_idx").on(t.targetAccountId, t.id)],
);

/**
 * The admin audit log: every moderation and instance-settings action, by whom, on what, so
 * admins can see who did what (`/admin/audit`). `targetType` is e.g. `account`, `report`,
 * `domain_block`, `domain_allow`, `instance_settings`; `detail` is what the action changed.
 */
export const adminActionLogs = pgTable(
  "admin_action_logs",
  {
    id: id("id").primaryKey(),
    accountId: id("account_id").references(() => accounts.id, { onDelete: "set null" }),
    action: text("action").notNull(),
    targetType: text("target_type").notNull(),
    targetId: text("target_id"),
    /** A human-readable name of the target at the time (an acct, a domain). */
    targetLabel: text("target_label"),
    detail: jsonb("detail").$type<Record<string, unknown>>().notNull().default({}),
    createdAt: createdAt(),
  },
  (t) => [
    index("admin_action_logs_account_idx").on(t.accountId, t.id),
    index("admin_action_logs_target_idx").on(t.targetType, t.targetId, t.id),
  ],
);
