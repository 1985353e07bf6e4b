import { sql } from "drizzle-orm";
import { boolean, index, integer, jsonb, pgTable, text, uniqueIndex } from "drizzle-orm/pg-core";
import { accounts } from "./accounts.ts";
import { createdAt, id, tstz } from "./columns.ts";
import { statuses } from "./statuses.ts";

export interface PollOption {
  title: string;
  votesCount: number;
}

/** A poll on a status (ActivityPub `Question`), local or remote; one per status. */
export const polls = pgTable(
  "polls",
  {
    id: id("id").primaryKey(),
    statusId: id("status_id")
      .notNull()
      .references(() => statuses.id, { onDelete: "cascade" }),
    accountId: id("account_id")
      .notNull()
      .references(() => accounts.id, { onDelete: "cascade" }),
    options: jsonb("options").$type<PollOption[]>().notNull(),
    multiple: boolean("multiple").notNull().default(false),
    hideTotals: boolean("hide_totals").notNull().default(false),
    expiresAt: tstz("expires_at"),
    votesCount: integer("votes_count").notNull().default(0),
    /** Null when a remote server does not say (`votersCount`). */
    votersCount: integer("voters_count"),
    /** When the end was handled (final counts sent, voters notified). */
    closedAt: tstz("closed_at"),
    createdAt: createdAt(),
    updatedAt: tstz("updated_at").notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("polls_status_key").on(t.statusId),
    // The closing job finds polls that ended and were not closed yet.
    index("polls_open_idx").on(t.expiresAt).where(sql`${t.closedAt} is null`),
  ],
);

/** One chosen option of one voter (a multiple-choice vote is several rows). */
export const pollVotes = pgTable(
  "poll_votes",
  {
    id: id("id").primaryKey(),
    pollId: id("poll_id")
      .notNull()
      .references(() => polls.id, { onDelete: "cascade" }),
    accountId: id("account_id")
      .notNull()
      .references(() => accounts.id, { onDelete: "cascade" }),
    choice: integer("choice").notNull(),
    /** The vote `Note`'s id, ours or the remote voter's. */
    uri: text("uri"),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("poll_votes_key").on(t.pollId, t.accountId, t.choice),
    index("poll_votes_account_idx").on(t.accountId, t.pollId),
  ],
);
