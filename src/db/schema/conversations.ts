import { boolean, index, pgTable, primaryKey, text, uniqueIndex } from "drizzle-orm/pg-core";
import { accounts } from "./accounts.ts";
import { createdAt, id, tstz } from "./columns.ts";
import { statuses } from "./statuses.ts";

/**
 * A direct conversation as one local account sees it: the other participants (sorted account
 * ids joined by commas in `participantKey`) and the newest direct status among them.
 */
export const conversations = pgTable(
  "conversations",
  {
    id: id("id").primaryKey(),
    accountId: id("account_id")
      .notNull()
      .references(() => accounts.id, { onDelete: "cascade" }),
    participantKey: text("participant_key").notNull(),
    lastStatusId: id("last_status_id").references(() => statuses.id, { onDelete: "set null" }),
    unread: boolean("unread").notNull().default(false),
    createdAt: createdAt(),
    updatedAt: tstz("updated_at").notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("conversations_key").on(t.accountId, t.participantKey),
    index("conversations_account_idx").on(t.accountId, t.lastStatusId),
  ],
);

/** A muted thread (`POST /statuses/:id/mute`), kept by the thread's root status. */
export const threadMutes = pgTable(
  "thread_mutes",
  {
    accountId: id("account_id")
      .notNull()
      .references(() => accounts.id, { onDelete: "cascade" }),
    rootStatusId: id("root_status_id")
      .notNull()
      .references(() => statuses.id, { onDelete: "cascade" }),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.accountId, t.rootStatusId] })],
);
