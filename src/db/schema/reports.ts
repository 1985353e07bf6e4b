import { boolean, index, jsonb, pgTable, text, uniqueIndex } from "drizzle-orm/pg-core";
import { accounts } from "./accounts.ts";
import { createdAt, id, tstz } from "./columns.ts";

/** Mastodon's report categories. */
export const reportCategories = ["spam", "legal", "violation", "other"] as const;
export type ReportCategory = (typeof reportCategories)[number];

/**
 * A report of an account (and some of its statuses) to the moderators. Filed here by a local
 * account (`POST /api/v1/reports`), or received as a `Flag`: then the reporter is the sending
 * actor's account (often the remote server's instance actor). `uri` is the Flag's id, ours when
 * forwarded or theirs when received, so a Flag delivered twice is one report.
 */
export const reports = pgTable(
  "reports",
  {
    id: id("id").primaryKey(),
    accountId: id("account_id")
      .notNull()
      .references(() => accounts.id, { onDelete: "cascade" }),
    targetAccountId: id("target_account_id")
      .notNull()
      .references(() => accounts.id, { onDelete: "cascade" }),
    /** Ids of the reported statuses (decimal strings; statuses may be gone since). */
    statusIds: jsonb("status_ids").$type<string[]>().notNull().default([]),
    category: text("category", { enum: reportCategories }).notNull().default("other"),
    /** Ids of the broken instance rules (category `violation`). */
    ruleIds: jsonb("rule_ids").$type<string[]>().notNull().default([]),
    comment: text("comment").notNull().default(""),
    /** Sent as a Flag to the target's server. */
    forwarded: boolean("forwarded").notNull().default(false),
    uri: text("uri").notNull(),
    actionTakenAt: tstz("action_taken_at"),
    /** The moderator who resolved the report, and the one it is assigned to. */
    actionTakenByAccountId: id("action_taken_by_account_id").references(() => accounts.id, {
      onDelete: "set null",
    }),
    assignedAccountId: id("assigned_account_id").references(() => accounts.id, {
      onDelete: "set null",
    }),
    createdAt: createdAt(),
    updatedAt: tstz("updated_at").notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("reports_uri_key").on(t.uri),
    // Moderators list reports newest first (the primary key) or about one account.
    index("reports_target_idx").on(t.targetAccountId, t.id),
    index("reports_account_idx").on(t.accountId, t.id),
  ],
);
