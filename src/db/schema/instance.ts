import { sql } from "drizzle-orm";
import {
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
import { accessTokens } from "./oauth.ts";

/** Server-wide settings kept in the database (instance name, rules text, VAPID keys, ...). */
export const instanceSettings = pgTable("instance_settings", {
  key: text("key").primaryKey(),
  value: jsonb("value").notNull(),
  updatedAt: tstz("updated_at").notNull().defaultNow(),
});

/** The server's rules (`/api/v1/instance/rules`), in `position` order. */
export const instanceRules = pgTable("instance_rules", {
  id: id("id").primaryKey(),
  text: text("text").notNull(),
  hint: text("hint").notNull().default(""),
  position: integer("position").notNull().default(0),
  createdAt: createdAt(),
});

/** A custom emoji: local (domain null, file in storage) or seen in remote posts and profiles. */
export const customEmojis = pgTable(
  "custom_emojis",
  {
    id: id("id").primaryKey(),
    shortcode: text("shortcode").notNull(),
    domain: text("domain"),
    /** The remote `Emoji` id, or our own URL for local emoji. */
    uri: text("uri"),
    imageUrl: text("image_url").notNull(),
    staticUrl: text("static_url"),
    /** Storage key of a local emoji's file. */
    fileKey: text("file_key"),
    category: text("category"),
    visibleInPicker: boolean("visible_in_picker").notNull().default(true),
    disabled: boolean("disabled").notNull().default(false),
    createdAt: createdAt(),
    updatedAt: tstz("updated_at").notNull().defaultNow(),
  },
  (t) => [uniqueIndex("custom_emojis_key").on(t.shortcode, sql`coalesce(${t.domain}, '')`)],
);

/** An announcement made by an admin (`/api/v1/announcements`). */
export const announcements = pgTable("announcements", {
  id: id("id").primaryKey(),
  /** Sanitized HTML. */
  content: text("content").notNull(),
  startsAt: tstz("starts_at"),
  endsAt: tstz("ends_at"),
  allDay: boolean("all_day").notNull().default(false),
  publishedAt: tstz("published_at"),
  createdAt: createdAt(),
  updatedAt: tstz("updated_at").notNull().defaultNow(),
});

export const announcementDismissals = pgTable(
  "announcement_dismissals",
  {
    announcementId: id("announcement_id")
      .notNull()
      .references(() => announcements.id, { onDelete: "cascade" }),
    accountId: id("account_id")
      .notNull()
      .references(() => accounts.id, { onDelete: "cascade" }),
  },
  (t) => [primaryKey({ columns: [t.announcementId, t.accountId] })],
);

export const announcementReactions = pgTable(
  "announcement_reactions",
  {
    announcementId: id("announcement_id")
      .notNull()
      .references(() => announcements.id, { onDelete: "cascade" }),
    accountId: id("account_id")
      .notNull()
      .references(() => accounts.id, { onDelete: "cascade" }),
    /** A unicode emoji or a local custom emoji's shortcode. */
    name: text("name").notNull(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.announcementId, t.accountId, t.name] })],
);

/** A Web Push subscription: one per access token, as Mastodon keeps them. */
export const pushSubscriptions = pgTable(
  "push_subscriptions",
  {
    id: id("id").primaryKey(),
    accessTokenId: id("access_token_id")
      .notNull()
      .references(() => accessTokens.id, { onDelete: "cascade" }),
    accountId: id("account_id")
      .notNull()
      .references(() => accounts.id, { onDelete: "cascade" }),
    endpoint: text("endpoint").notNull(),
    p256dh: text("p256dh").notNull(),
    auth: text("auth").notNull(),
    /** Which notification types are pushed, e.g. `{ "mention": true }`. */
    alerts: jsonb("alerts").$type<Record<string, boolean>>().notNull().default({}),
    policy: text("policy", { enum: ["all", "followed", "follower", "none"] })
      .notNull()
      .default("all"),
    /** true: RFC 8291 `aes128gcm`; false: the legacy `aesgcm` encoding. */
    standard: boolean("standard").notNull().default(false),
    createdAt: createdAt(),
    updatedAt: tstz("updated_at").notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("push_subscriptions_token_key").on(t.accessTokenId),
    index("push_subscriptions_account_idx").on(t.accountId),
  ],
);

/** Accounts a user removed from their follow suggestions (`DELETE /api/v1/suggestions/:id`). */
export const suggestionDismissals = pgTable(
  "suggestion_dismissals",
  {
    accountId: id("account_id")
      .notNull()
      .references(() => accounts.id, { onDelete: "cascade" }),
    targetAccountId: id("target_account_id")
      .notNull()
      .references(() => accounts.id, { onDelete: "cascade" }),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.accountId, t.targetAccountId] })],
);
