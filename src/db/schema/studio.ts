import { boolean, index, integer, jsonb, pgTable, text } from "drizzle-orm/pg-core";
import { accounts } from "./accounts.ts";
import { createdAt, id, tstz } from "./columns.ts";

/**
 * A post to publish later (`/api/v1/scheduled_statuses`): the parameters of `POST
 * /api/v1/statuses` as given, published by the worker at `scheduledAt`. Its media rows point at
 * it (`media_attachments.scheduled_status_id`) until then. Publishing deletes the row in the
 * transaction that creates the status, so a post is never published twice.
 */
export const scheduledStatuses = pgTable(
  "scheduled_statuses",
  {
    id: id("id").primaryKey(),
    accountId: id("account_id")
      .notNull()
      .references(() => accounts.id, { onDelete: "cascade" }),
    scheduledAt: tstz("scheduled_at").notNull(),
    params: jsonb("params").$type<Record<string, unknown>>().notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    index("scheduled_statuses_due_idx").on(t.scheduledAt),
    index("scheduled_statuses_account_idx").on(t.accountId, t.id),
  ],
);

/** A server-side draft (`/api/v1/tern/drafts`, the web composer): parameters of a post to be. */
export const drafts = pgTable(
  "drafts",
  {
    id: id("id").primaryKey(),
    accountId: id("account_id")
      .notNull()
      .references(() => accounts.id, { onDelete: "cascade" }),
    params: jsonb("params").$type<Record<string, unknown>>().notNull(),
    createdAt: createdAt(),
    updatedAt: tstz("updated_at").notNull().defaultNow(),
  },
  (t) => [index("drafts_account_idx").on(t.accountId, t.id)],
);

/**
 * Automatic deletion of old posts (Mastodon's account statuses clean-up policy): posts older
 * than `minStatusAgeDays` are deleted by a job in small batches, except those kept by the flags
 * or with at least `minFavs` favourites / `minReblogs` boosts. `lastCheckedId` lets a run resume
 * where the previous one stopped instead of walking kept posts again.
 */
export const statusCleanupPolicies = pgTable("status_cleanup_policies", {
  accountId: id("account_id")
    .primaryKey()
    .references(() => accounts.id, { onDelete: "cascade" }),
  enabled: boolean("enabled").notNull().default(false),
  minStatusAgeDays: integer("min_status_age_days").notNull().default(14),
  keepDirect: boolean("keep_direct").notNull().default(true),
  keepPinned: boolean("keep_pinned").notNull().default(true),
  keepPolls: boolean("keep_polls").notNull().default(false),
  keepMedia: boolean("keep_media").notNull().default(false),
  keepSelfFav: boolean("keep_self_fav").notNull().default(true),
  keepSelfBookmark: boolean("keep_self_bookmark").notNull().default(true),
  minFavs: integer("min_favs"),
  minReblogs: integer("min_reblogs"),
  lastCheckedId: id("last_checked_id"),
  updatedAt: tstz("updated_at").notNull().defaultNow(),
});

export const importTypes = [
  "following",
  "blocks",
  "mutes",
  "domain_blocks",
  "lists",
  "bookmarks",
] as const;
export type ImportType = (typeof importTypes)[number];

/**
 * A CSV import (`POST /api/v1/import`, Mastodon's export formats), worked through by a job in
 * batches; `rows` are the parsed rows, `processed`/`failed` the progress the user sees.
 */
export const imports = pgTable(
  "imports",
  {
    id: id("id").primaryKey(),
    accountId: id("account_id")
      .notNull()
      .references(() => accounts.id, { onDelete: "cascade" }),
    type: text("type", { enum: importTypes }).notNull(),
    mode: text("mode", { enum: ["merge", "overwrite"] })
      .notNull()
      .default("merge"),
    state: text("state", { enum: ["queued", "running", "finished", "failed"] })
      .notNull()
      .default("queued"),
    rows: jsonb("rows").$type<string[][]>().notNull().default([]),
    total: integer("total").notNull().default(0),
    processed: integer("processed").notNull().default(0),
    failed: integer("failed").notNull().default(0),
    createdAt: createdAt(),
    finishedAt: tstz("finished_at"),
  },
  (t) => [index("imports_account_idx").on(t.accountId, t.id)],
);
