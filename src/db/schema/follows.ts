import { boolean, index, pgTable, text, uniqueIndex } from "drizzle-orm/pg-core";
import { accounts } from "./accounts.ts";
import { createdAt, id } from "./columns.ts";

/** A follow between two accounts, local or remote; `pending` until the followed side accepts. */
export const follows = pgTable(
  "follows",
  {
    id: id("id").primaryKey(),
    followerId: id("follower_id")
      .notNull()
      .references(() => accounts.id, { onDelete: "cascade" }),
    followingId: id("following_id")
      .notNull()
      .references(() => accounts.id, { onDelete: "cascade" }),
    /** The id of the Follow activity, ours or the remote one. */
    uri: text("uri").notNull(),
    state: text("state", { enum: ["pending", "accepted"] }).notNull(),
    /** The follower's boosts-in-home choice (`reblogs` on POST /accounts/:id/follow). */
    showReblogs: boolean("show_reblogs").notNull().default(true),
    /** The follower gets a `status` notification for each new post (`notify`). */
    notify: boolean("notify").notNull().default(false),
    /** Only posts in these languages reach the follower's home; null: all (`languages[]`). */
    languages: text("languages").array(),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("follows_pair_key").on(t.followerId, t.followingId),
    index("follows_following_idx").on(t.followingId, t.state),
    index("follows_uri_idx").on(t.uri),
  ],
);
