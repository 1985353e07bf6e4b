import { boolean, index, integer, pgTable, text, uniqueIndex } from "drizzle-orm/pg-core";
import { accounts } from "./accounts.ts";
import { createdAt, id, tstz } from "./columns.ts";

/**
 * A signed-in browser (setup, sign-up, settings, admin and studio pages): the cookie holds a
 * random token, only its SHA-256 is stored. `csrfToken` is echoed in every form of the session
 * and checked on every POST. Revoked by signing out, a password change or a suspension.
 */
export const webSessions = pgTable(
  "web_sessions",
  {
    id: id("id").primaryKey(),
    tokenHash: text("token_hash").notNull(),
    accountId: id("account_id")
      .notNull()
      .references(() => accounts.id, { onDelete: "cascade" }),
    csrfToken: text("csrf_token").notNull(),
    /**
     * Teams and many accounts per login: the account the studio pages act as (one the login
     * owns or is a member of); null means the login's own account.
     */
    actingAccountId: id("acting_account_id").references(() => accounts.id, {
      onDelete: "set null",
    }),
    userAgent: text("user_agent"),
    ip: text("ip"),
    createdAt: createdAt(),
    lastUsedAt: tstz("last_used_at").notNull().defaultNow(),
    expiresAt: tstz("expires_at").notNull(),
  },
  (t) => [
    uniqueIndex("web_sessions_token_key").on(t.tokenHash),
    index("web_sessions_account_idx").on(t.accountId),
  ],
);

/** An invite link (`/invite/:code`): signs up even when registrations are closed or approved. */
export const invites = pgTable(
  "invites",
  {
    id: id("id").primaryKey(),
    code: text("code").notNull(),
    accountId: id("account_id")
      .notNull()
      .references(() => accounts.id, { onDelete: "cascade" }),
    /** Null: unlimited. */
    maxUses: integer("max_uses"),
    uses: integer("uses").notNull().default(0),
    expiresAt: tstz("expires_at"),
    /** The new account follows the inviter. */
    autofollow: boolean("autofollow").notNull().default(false),
    revokedAt: tstz("revoked_at"),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("invites_code_key").on(t.code),
    index("invites_account_idx").on(t.accountId, t.id),
  ],
);
