import { index, pgTable, text, uniqueIndex } from "drizzle-orm/pg-core";
import { accounts } from "./accounts.ts";
import { createdAt, id } from "./columns.ts";

/** A hashtag a local account follows (lower-cased name): tagged posts land in its home. */
export const followedTags = pgTable(
  "followed_tags",
  {
    id: id("id").primaryKey(),
    accountId: id("account_id")
      .notNull()
      .references(() => accounts.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("followed_tags_key").on(t.accountId, t.name),
    index("followed_tags_name_idx").on(t.name),
  ],
);

/** A hashtag featured on a profile (`/api/v1/featured_tags`, the actor's featured tags). */
export const featuredTags = pgTable(
  "featured_tags",
  {
    id: id("id").primaryKey(),
    accountId: id("account_id")
      .notNull()
      .references(() => accounts.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("featured_tags_key").on(t.accountId, t.name)],
);
