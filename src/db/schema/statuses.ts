import { sql } from "drizzle-orm";
import {
  boolean,
  index,
  integer,
  pgTable,
  primaryKey,
  text,
  uniqueIndex,
} from "drizzle-orm/pg-core";
import { accounts } from "./accounts.ts";
import { createdAt, id, tstz } from "./columns.ts";

export const visibilities = ["public", "unlisted", "private", "direct"] as const;
export type Visibility = (typeof visibilities)[number];

export const statuses = pgTable(
  "statuses",
  {
    id: id("id").primaryKey(),
    /** The ActivityPub Note id. */
    uri: text("uri").notNull(),
    url: text("url"),
    accountId: id("account_id")
      .notNull()
      .references(() => accounts.id, { onDelete: "cascade" }),
    inReplyToId: id("in_reply_to_id"),
    inReplyToUri: text("in_reply_to_uri"),
    inReplyToAccountId: id("in_reply_to_account_id"),
    /** Sanitized HTML, as shown to clients and federated. */
    content: text("content").notNull(),
    /** The plain-text source of a local status (for editing); null for remote ones. */
    source: text("source"),
    spoilerText: text("spoiler_text").notNull().default(""),
    sensitive: boolean("sensitive").notNull().default(false),
    visibility: text("visibility", { enum: visibilities }).notNull(),
    language: text("language"),
    local: boolean("local").notNull(),
    createdAt: createdAt(),
    editedAt: tstz("edited_at"),
  },
  (t) => [
    uniqueIndex("statuses_uri_key").on(t.uri),
    index("statuses_account_idx").on(t.accountId, t.id.desc()),
    index("statuses_public_idx").on(t.id.desc()).where(sql`${t.visibility} = 'public'`),
    index("statuses_reply_idx").on(t.inReplyToId),
    // Replies that arrived before their parent, found again when the parent is stored.
    index("statuses_orphan_reply_idx")
      .on(t.inReplyToUri)
      .where(sql`${t.inReplyToId} is null and ${t.inReplyToUri} is not null`),
  ],
);

/** Accounts mentioned by a status (drives addressing of direct and private posts). */
export const mentions = pgTable(
  "mentions",
  {
    statusId: id("status_id")
      .notNull()
      .references(() => statuses.id, { onDelete: "cascade" }),
    accountId: id("account_id")
      .notNull()
      .references(() => accounts.id, { onDelete: "cascade" }),
  },
  (t) => [
    primaryKey({ columns: [t.statusId, t.accountId] }),
    index("mentions_account_idx").on(t.accountId),
  ],
);

/** Hashtags of a status, lower-cased. */
export const statusTags = pgTable(
  "status_tags",
  {
    statusId: id("status_id")
      .notNull()
      .references(() => statuses.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
  },
  (t) => [primaryKey({ columns: [t.statusId, t.name] }), index("status_tags_name_idx").on(t.name)],
);

/**
 * Materialized home timelines (fan-out on write): one row per (reader, status), written by the
 * worker. Reading a home page is one index range scan whatever the size of the server.
 */
export const homeFeed = pgTable(
  "home_feed",
  {
    accountId: id("account_id")
      .notNull()
      .references(() => accounts.id, { onDelete: "cascade" }),
    statusId: id("status_id")
      .notNull()
      .references(() => statuses.id, { onDelete: "cascade" }),
  },
  (t) => [primaryKey({ columns: [t.accountId, t.statusId] })],
);

/** `Idempotency-Key` of POST /api/v1/statuses: the same key returns the same status. */
export const idempotencyKeys = pgTable(
  "idempotency_keys",
  {
    accountId: id("account_id")
      .notNull()
      .references(() => accounts.id, { onDelete: "cascade" }),
    key: text("key").notNull(),
    statusId: id("status_id")
      .notNull()
      .references(() => statuses.id, { onDelete: "cascade" }),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.accountId, t.key] })],
);

/**
 * A status's counters, updated in the same transaction as the reply, favourite or boost (and its
 * undoing), kept apart from `statuses` so that counting does not rewrite the status row. A
 * missing row means all zero.
 */
export const statusStats = pgTable("status_stats", {
  statusId: id("status_id")
    .primaryKey()
    .references(() => statuses.id, { onDelete: "cascade" }),
  repliesCount: integer("replies_count").notNull().default(0),
  favouritesCount: integer("favourites_count").notNull().default(0),
  reblogsCount: integer("reblogs_count").notNull().default(0),
  quotesCount: integer("quotes_count").notNull().default(0),
});

/** A favourite (ActivityPub `Like`), local or remote; `uri` is the Like activity's id. */
export const favourites = pgTable(
  "favourites",
  {
    id: id("id").primaryKey(),
    accountId: id("account_id")
      .notNull()
      .references(() => accounts.id, { onDelete: "cascade" }),
    statusId: id("status_id")
      .notNull()
      .references(() => statuses.id, { onDelete: "cascade" }),
    uri: text("uri").notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("favourites_pair_key").on(t.accountId, t.statusId),
    // GET /api/v1/favourites (the viewer's, newest first) and /statuses/:id/favourited_by.
    index("favourites_account_idx").on(t.accountId, t.id.desc()),
    index("favourites_status_idx").on(t.statusId, t.id.desc()),
    index("favourites_uri_idx").on(t.uri),
  ],
);
