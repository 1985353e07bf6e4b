import { boolean, index, pgTable, text, uniqueIndex } from "drizzle-orm/pg-core";
import { accounts } from "./accounts.ts";
import { createdAt, id, tstz } from "./columns.ts";
import { statuses } from "./statuses.ts";

export const filterContexts = ["home", "notifications", "public", "thread", "account"] as const;
export type FilterContext = (typeof filterContexts)[number];
export const filterActions = ["warn", "hide", "blur"] as const;
export type FilterAction = (typeof filterActions)[number];

/** A v2 filter (v1 filters are one-keyword v2 filters). */
export const filters = pgTable(
  "filters",
  {
    id: id("id").primaryKey(),
    accountId: id("account_id")
      .notNull()
      .references(() => accounts.id, { onDelete: "cascade" }),
    title: text("title").notNull(),
    context: text("context", { enum: filterContexts }).array().notNull(),
    action: text("action", { enum: filterActions }).notNull().default("warn"),
    expiresAt: tstz("expires_at"),
    createdAt: createdAt(),
    updatedAt: tstz("updated_at").notNull().defaultNow(),
  },
  (t) => [index("filters_account_idx").on(t.accountId)],
);

export const filterKeywords = pgTable(
  "filter_keywords",
  {
    id: id("id").primaryKey(),
    filterId: id("filter_id")
      .notNull()
      .references(() => filters.id, { onDelete: "cascade" }),
    keyword: text("keyword").notNull(),
    wholeWord: boolean("whole_word").notNull().default(true),
    createdAt: createdAt(),
  },
  (t) => [index("filter_keywords_filter_idx").on(t.filterId)],
);

export const filterStatuses = pgTable(
  "filter_statuses",
  {
    id: id("id").primaryKey(),
    filterId: id("filter_id")
      .notNull()
      .references(() => filters.id, { onDelete: "cascade" }),
    statusId: id("status_id")
      .notNull()
      .references(() => statuses.id, { onDelete: "cascade" }),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("filter_statuses_key").on(t.filterId, t.statusId)],
);
