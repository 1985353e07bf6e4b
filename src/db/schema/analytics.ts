import { date, index, integer, pgTable, primaryKey, text } from "drizzle-orm/pg-core";
import { accounts } from "./accounts.ts";
import { id, tstz } from "./columns.ts";
import { statuses } from "./statuses.ts";

/**
 * The delivery log of a local status, one row per remote host it was sent to (shared inbox or
 * the inboxes on that host): how many of the author's followers live there (at fan-out time)
 * and whether the delivery got through. Reach is only ever summed from these rows; nothing is
 * recorded about readers beyond what their servers answer.
 */
export const statusDeliveries = pgTable(
  "status_deliveries",
  {
    statusId: id("status_id")
      .notNull()
      .references(() => statuses.id, { onDelete: "cascade" }),
    host: text("host").notNull(),
    /** Followers of the author on that host when the post was sent. */
    followers: integer("followers").notNull().default(0),
    state: text("state", { enum: ["pending", "delivered", "failed"] })
      .notNull()
      .default("pending"),
    updatedAt: tstz("updated_at").notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.statusId, t.host] }),
    // The aggregation job's work list: rows changed since its last run.
    index("status_deliveries_updated_idx").on(t.updatedAt),
  ],
);

/**
 * Per-status reach, aggregated by a job from `status_deliveries` (so analytics pages read one
 * row per post however many deliveries there were). Interactions come from `status_stats`.
 */
export const statusReach = pgTable("status_reach", {
  statusId: id("status_id")
    .primaryKey()
    .references(() => statuses.id, { onDelete: "cascade" }),
  accountId: id("account_id")
    .notNull()
    .references(() => accounts.id, { onDelete: "cascade" }),
  serversReached: integer("servers_reached").notNull().default(0),
  followersReached: integer("followers_reached").notNull().default(0),
  deliveriesFailed: integer("deliveries_failed").notNull().default(0),
  deliveriesPending: integer("deliveries_pending").notNull().default(0),
  updatedAt: tstz("updated_at").notNull().defaultNow(),
});

/**
 * Follower growth of a local account per day and per follower's server (`''` for local
 * followers): gains and losses, written in the transaction of the follow or unfollow.
 */
export const followerDaily = pgTable(
  "follower_daily",
  {
    accountId: id("account_id")
      .notNull()
      .references(() => accounts.id, { onDelete: "cascade" }),
    day: date("day", { mode: "string" }).notNull(),
    domain: text("domain").notNull().default(""),
    gained: integer("gained").notNull().default(0),
    lost: integer("lost").notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.accountId, t.day, t.domain] })],
);
