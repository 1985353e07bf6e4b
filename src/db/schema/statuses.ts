import { sql } from "drizzle-orm";
import {
  type AnyPgColumn,
  boolean,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  uniqueIndex,
} from "drizzle-orm/pg-core";
import { accounts } from "./accounts.ts";
import { createdAt, id, tstz } from "./columns.ts";

export const visibilities = ["public", "unlisted", "private", "direct"] as const;
export type Visibility = (typeof visibilities)[number];

/** Who may quote a post without asking (Mastodon 4.5's `quote_approval_policy`). */
export const quotePolicies = ["public", "followers", "nobody"] as const;
export type QuotePolicy = (typeof quotePolicies)[number];

/**
 * A remote post's published `interactionPolicy` (GoToSocial, Mastodon 4.5), normalized: for each
 * interaction, who may do it at once (`automatic`) and who must ask first (`manual`), as actor
 * URIs or the collections `public`, `followers`, `following`, `mentioned`, `author`.
 */
export type InteractionPolicy = Partial<
  Record<"like" | "reply" | "announce" | "quote", { automatic: string[]; manual: string[] }>
>;

/**
 * The text full-text search reads: content without its HTML tags, and the content warning. The
 * GIN index is on this expression (not a stored column, so pages never carry a tsvector); a query
 * must use the same expression to use the index.
 */
export const statusSearchDocument = sql`to_tsvector('simple'::regconfig, coalesce(spoiler_text, '') || ' ' || regexp_replace(content, '<[^>]*>', ' ', 'g'))`;

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
    /** What `source` is written in (`text/plain` or `text/markdown`); null for remote ones. */
    contentType: text("content_type"),
    /** A long post's title: federated as an `Article`'s `name` (null: a `Note`). */
    title: text("title"),
    spoilerText: text("spoiler_text").notNull().default(""),
    sensitive: boolean("sensitive").notNull().default(false),
    visibility: text("visibility", { enum: visibilities }).notNull(),
    language: text("language"),
    local: boolean("local").notNull(),
    /**
     * A boost is a status of its own (its `uri` is the Announce's id) pointing at what it boosts;
     * its content is empty. Deleting the boosted status deletes its boosts.
     */
    reblogOfId: id("reblog_of_id").references((): AnyPgColumn => statuses.id, {
      onDelete: "cascade",
    }),
    quoteApprovalPolicy: text("quote_approval_policy", { enum: quotePolicies })
      .notNull()
      .default("public"),
    /** What a remote server says may be done with this post; null: anything, by anyone. */
    interactionPolicy: jsonb("interaction_policy").$type<InteractionPolicy>(),
    createdAt: createdAt(),
    editedAt: tstz("edited_at"),
  },
  (t) => [
    uniqueIndex("statuses_uri_key").on(t.uri),
    index("statuses_account_idx").on(t.accountId, t.id),
    index("statuses_public_idx").on(t.id).where(sql`${t.visibility} = 'public'`),
    // The local public timeline (`local=true`) without filtering the whole federated one.
    index("statuses_local_public_idx")
      .on(t.id)
      .where(sql`${t.visibility} = 'public' and ${t.local} and ${t.reblogOfId} is null`),
    index("statuses_search_idx").using("gin", statusSearchDocument),
    index("statuses_reply_idx").on(t.inReplyToId),
    // reblogged_by, and removing the boosts of a deleted post.
    index("statuses_reblog_idx").on(t.reblogOfId, t.id).where(sql`${t.reblogOfId} is not null`),
    // One boost per account and post: boosting twice is the same boost.
    uniqueIndex("statuses_reblog_key")
      .on(t.accountId, t.reblogOfId)
      .where(sql`${t.reblogOfId} is not null`),
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
  (t) => [
    primaryKey({ columns: [t.statusId, t.name] }),
    // Hashtag timelines: newest first within one tag, an index range scan.
    index("status_tags_name_status_idx").on(t.name, t.statusId),
  ],
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
    /** For a boost, the boosted status: a post boosted twice (or also seen itself) shows once. */
    reblogOfId: id("reblog_of_id"),
  },
  (t) => [
    primaryKey({ columns: [t.accountId, t.statusId] }),
    uniqueIndex("home_feed_shown_key").on(
      t.accountId,
      sql`coalesce(${t.reblogOfId}, ${t.statusId})`,
    ),
  ],
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
    index("favourites_account_idx").on(t.accountId, t.id),
    index("favourites_status_idx").on(t.statusId, t.id),
    index("favourites_uri_idx").on(t.uri),
  ],
);

/** A bookmark: private to its account, never federated. */
export const bookmarks = pgTable(
  "bookmarks",
  {
    id: id("id").primaryKey(),
    accountId: id("account_id")
      .notNull()
      .references(() => accounts.id, { onDelete: "cascade" }),
    statusId: id("status_id")
      .notNull()
      .references(() => statuses.id, { onDelete: "cascade" }),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("bookmarks_pair_key").on(t.accountId, t.statusId),
    index("bookmarks_account_idx").on(t.accountId, t.id),
  ],
);

/**
 * A pinned status (the actor's `featured` collection): ours, and remote accounts' as their
 * servers publish them or send `Add`/`Remove`.
 */
export const statusPins = pgTable(
  "status_pins",
  {
    accountId: id("account_id")
      .notNull()
      .references(() => accounts.id, { onDelete: "cascade" }),
    statusId: id("status_id")
      .notNull()
      .references(() => statuses.id, { onDelete: "cascade" }),
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({ columns: [t.accountId, t.statusId] }),
    index("status_pins_account_idx").on(t.accountId, t.createdAt),
  ],
);

/**
 * Earlier and current versions of an edited status (`GET /api/v1/statuses/:id/history`): the
 * first edit stores the original as well, as Mastodon does; a never-edited status has none.
 */
export const statusEdits = pgTable(
  "status_edits",
  {
    id: id("id").primaryKey(),
    statusId: id("status_id")
      .notNull()
      .references(() => statuses.id, { onDelete: "cascade" }),
    content: text("content").notNull(),
    spoilerText: text("spoiler_text").notNull().default(""),
    sensitive: boolean("sensitive").notNull().default(false),
    language: text("language"),
    /** When this version was published (the status's creation for the first). */
    createdAt: createdAt(),
  },
  (t) => [index("status_edits_status_idx").on(t.statusId, t.id)],
);

export const quoteStates = ["pending", "accepted", "rejected", "revoked", "deleted"] as const;
export type QuoteState = (typeof quoteStates)[number];

/**
 * A status quoting another (FEP-044f). `quotedStatusId` is null while the quoted post is unknown
 * or after it was deleted; `authorizationUri` is the quoted author's `QuoteAuthorization`.
 */
export const quotes = pgTable(
  "quotes",
  {
    id: id("id").primaryKey(),
    /** The quoting status. */
    statusId: id("status_id")
      .notNull()
      .references(() => statuses.id, { onDelete: "cascade" }),
    quotedStatusId: id("quoted_status_id").references(() => statuses.id, {
      onDelete: "set null",
    }),
    quotedUri: text("quoted_uri").notNull(),
    state: text("state", { enum: quoteStates }).notNull(),
    /** The `QuoteRequest` we sent or received. */
    requestUri: text("request_uri"),
    authorizationUri: text("authorization_uri"),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("quotes_status_key").on(t.statusId),
    // GET /api/v1/statuses/:id/quotes, newest first.
    index("quotes_quoted_idx").on(t.quotedStatusId, t.id),
    index("quotes_authorization_idx").on(t.authorizationUri),
  ],
);

export const interactionTypes = ["like", "reply", "announce", "quote"] as const;
export type InteractionType = (typeof interactionTypes)[number];

/**
 * A remote account's request to interact with one of our statuses (GoToSocial's `LikeRequest`,
 * `ReplyRequest`, `AnnounceRequest`; Mastodon's `QuoteRequest`) and our answer, whose
 * authorization is served at our URL so that third servers can check it.
 */
export const interactionRequests = pgTable(
  "interaction_requests",
  {
    id: id("id").primaryKey(),
    type: text("type", { enum: interactionTypes }).notNull(),
    /** Our status being liked, replied to, boosted or quoted. */
    statusId: id("status_id")
      .notNull()
      .references(() => statuses.id, { onDelete: "cascade" }),
    accountId: id("account_id")
      .notNull()
      .references(() => accounts.id, { onDelete: "cascade" }),
    /** The request activity's id. */
    requestUri: text("request_uri").notNull(),
    /** The interacting object: the Like, the reply, the Announce or the quoting post. */
    objectUri: text("object_uri").notNull(),
    state: text("state", { enum: ["pending", "accepted", "rejected"] }).notNull(),
    createdAt: createdAt(),
    decidedAt: tstz("decided_at"),
  },
  (t) => [
    uniqueIndex("interaction_requests_request_key").on(t.requestUri),
    index("interaction_requests_status_idx").on(t.statusId, t.id),
    index("interaction_requests_object_idx").on(t.objectUri),
  ],
);
