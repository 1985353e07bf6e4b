import { sql } from "drizzle-orm";
import { index, pgTable, text, uniqueIndex } from "drizzle-orm/pg-core";
import { accounts } from "./accounts.ts";
import { createdAt, id, tstz } from "./columns.ts";

export const oauthApps = pgTable(
  "oauth_apps",
  {
    id: id("id").primaryKey(),
    name: text("name").notNull(),
    website: text("website"),
    /** Newline-separated, as registered. */
    redirectUris: text("redirect_uris").notNull(),
    scopes: text("scopes").notNull(),
    clientId: text("client_id").notNull(),
    clientSecret: text("client_secret").notNull(),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("oauth_apps_client_id_key").on(t.clientId)],
);

/** Access tokens; only their SHA-256 is stored. `accountId` is null for client_credentials. */
export const accessTokens = pgTable(
  "access_tokens",
  {
    id: id("id").primaryKey(),
    tokenHash: text("token_hash").notNull(),
    appId: id("app_id").references(() => oauthApps.id, { onDelete: "cascade" }),
    accountId: id("account_id").references(() => accounts.id, { onDelete: "cascade" }),
    scopes: text("scopes").notNull(),
    /**
     * Teams: the login (a member's own account) that authorized this token for `accountId`,
     * when that is another account; removing the member revokes these tokens. Null when the
     * account authorized itself.
     */
    grantedByAccountId: id("granted_by_account_id").references(() => accounts.id, {
      onDelete: "cascade",
    }),
    createdAt: createdAt(),
    revokedAt: tstz("revoked_at"),
  },
  (t) => [
    uniqueIndex("access_tokens_hash_key").on(t.tokenHash),
    index("access_tokens_app_idx").on(t.appId),
    // A person's sessions page, and revoking all their tokens (password change, suspension).
    index("access_tokens_account_idx").on(t.accountId),
    index("access_tokens_granted_by_idx")
      .on(t.grantedByAccountId, t.accountId)
      .where(sql`${t.grantedByAccountId} is not null`),
  ],
);

/** Authorization codes (single use, short-lived); only their SHA-256 is stored. */
export const authorizationCodes = pgTable("authorization_codes", {
  codeHash: text("code_hash").primaryKey(),
  appId: id("app_id")
    .notNull()
    .references(() => oauthApps.id, { onDelete: "cascade" }),
  accountId: id("account_id")
    .notNull()
    .references(() => accounts.id, { onDelete: "cascade" }),
  redirectUri: text("redirect_uri").notNull(),
  scopes: text("scopes").notNull(),
  codeChallenge: text("code_challenge"),
  codeChallengeMethod: text("code_challenge_method"),
  /** As `access_tokens.granted_by_account_id`: the login that chose `accountId` for the app. */
  grantedByAccountId: id("granted_by_account_id").references(() => accounts.id, {
    onDelete: "cascade",
  }),
  expiresAt: tstz("expires_at").notNull(),
  createdAt: createdAt(),
});
