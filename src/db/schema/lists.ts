import { sql } from "drizzle-orm";
import { boolean, index, pgTable, primaryKey, text, uniqueIndex } from "drizzle-orm/pg-core";
import { accounts } from "./accounts.ts";
import { createdAt, id } from "./columns.ts";
import { follows } from "./follows.ts";
import { statuses } from "./statuses.ts";

export const listRepliesPolicies = ["followed", "list", "none"] as const;
export type ListRepliesPolicy = (typeof listRepliesPolicies)[number];

/** A list of followed accounts with a timeline of its own (`exclusive`: kept out of home). */
export const lists = pgTable(
  "lists",
  {
    id: id("id").primaryKey(),
    accountId: id("account_id")
      .notNull()
      .references(() => accounts.id, { onDelete: "cascade" }),
    title: text("title").notNull(),
    repliesPolicy: text("replies_policy", { enum: listRepliesPolicies }).notNull().default("list"),
    exclusive: boolean("exclusive").notNull().default(false),
    createdAt: createdAt(),
  },
  (t) => [index("lists_account_idx").on(t.accountId, t.id)],
);

/** A member of a list; only accounts the owner follows, so unfollowing removes them. */
export const listAccounts = pgTable(
  "list_accounts",
  {
    listId: id("list_id")
      .notNull()
      .references(() => lists.id, { onDelete: "cascade" }),
    accountId: id("account_id")
      .notNull()
      .references(() => accounts.id, { onDelete: "cascade" }),
    followId: id("follow_id").references(() => follows.id, { onDelete: "cascade" }),
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({ columns: [t.listId, t.accountId] }),
    index("list_accounts_account_idx").on(t.accountId),
  ],
);

/** Materialized list timelines, written by the worker like `home_feed`. */
export const listFeed = pgTable(
  "list_feed",
  {
    listId: id("list_id")
      .notNull()
      .references(() => lists.id, { onDelete: "cascade" }),
    statusId: id("status_id")
      .notNull()
      .references(() => statuses.id, { onDelete: "cascade" }),
    reblogOfId: id("reblog_of_id"),
  },
  (t) => [
    primaryKey({ columns: [t.listId, t.statusId] }),
    uniqueIndex("list_feed_shown_key").on(t.listId, sql`coalesce(${t.reblogOfId}, ${t.statusId})`),
  ],
);
