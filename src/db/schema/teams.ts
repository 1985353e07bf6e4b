import { index, jsonb, pgTable, primaryKey, text } from "drizzle-orm/pg-core";
import { accounts } from "./accounts.ts";
import { createdAt, id } from "./columns.ts";
import { statuses } from "./statuses.ts";

/**
 * Roles a login can hold on an account it does not sign in as: `owner` may do everything
 * (members, transfer, delete), `editor` may post, schedule and keep drafts, `analyst` may read
 * analytics only.
 */
export const teamRoles = ["owner", "editor", "analyst"] as const;
export type TeamRole = (typeof teamRoles)[number];

/**
 * One login, many accounts, and teams. A login is a local account with a password (the
 * person); `memberAccountId` holds `role` on `accountId` (a brand or project account, itself a
 * local account with its own keys). The person's own account needs no row: it is always theirs.
 */
export const accountMembers = pgTable(
  "account_members",
  {
    accountId: id("account_id")
      .notNull()
      .references(() => accounts.id, { onDelete: "cascade" }),
    memberAccountId: id("member_account_id")
      .notNull()
      .references(() => accounts.id, { onDelete: "cascade" }),
    role: text("role", { enum: teamRoles }).notNull(),
    /** Who added the member (an owner), for the audit log's sake. */
    addedByAccountId: id("added_by_account_id").references(() => accounts.id, {
      onDelete: "set null",
    }),
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({ columns: [t.accountId, t.memberAccountId] }),
    // The account chooser: every account a login may act as.
    index("account_members_member_idx").on(t.memberAccountId),
  ],
);

/**
 * The team audit log of an account: who (which login) posted, scheduled, edited or deleted
 * what, and who added, removed or changed members. `action` is e.g. `status.create`,
 * `status.schedule`, `status.update`, `status.delete`, `draft.create`, `member.add`,
 * `member.remove`, `member.role`, `account.transfer`.
 */
export const accountAuditLog = pgTable(
  "account_audit_log",
  {
    id: id("id").primaryKey(),
    accountId: id("account_id")
      .notNull()
      .references(() => accounts.id, { onDelete: "cascade" }),
    /** The login that acted; null once its account is gone. */
    actorAccountId: id("actor_account_id").references(() => accounts.id, {
      onDelete: "set null",
    }),
    action: text("action").notNull(),
    statusId: id("status_id").references(() => statuses.id, { onDelete: "set null" }),
    detail: jsonb("detail").$type<Record<string, unknown>>().notNull().default({}),
    createdAt: createdAt(),
  },
  (t) => [
    index("account_audit_log_account_idx").on(t.accountId, t.id),
    index("account_audit_log_status_idx").on(t.statusId),
  ],
);
