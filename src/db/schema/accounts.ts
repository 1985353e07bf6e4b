import { sql } from "drizzle-orm";
import { boolean, index, integer, jsonb, pgTable, text, uniqueIndex } from "drizzle-orm/pg-core";
import { createdAt, id, tstz } from "./columns.ts";

export interface ProfileField {
  name: string;
  /** Sanitized HTML. */
  value: string;
  /** When the link in the value was seen pointing back with rel="me" (ISO time), or null. */
  verifiedAt: string | null;
}

/** Every actor Tern knows: local accounts (domain null) and remote ones (cached from their server). */
/** What fuzzy account search matches (trigram GIN index on it; queries must use it verbatim). */
export const accountSearchText = sql`lower(username || ' ' || coalesce(domain, '') || ' ' || display_name)`;

export const accounts = pgTable(
  "accounts",
  {
    id: id("id").primaryKey(),
    username: text("username").notNull(),
    /** Null for local accounts; the host (with port) of the actor's handle otherwise. */
    domain: text("domain"),
    /** The ActivityPub actor id. */
    uri: text("uri").notNull(),
    /** The human-facing profile page. */
    url: text("url"),
    actorType: text("actor_type").notNull().default("Person"),
    displayName: text("display_name").notNull().default(""),
    /** Sanitized HTML. */
    note: text("note").notNull().default(""),
    avatarUrl: text("avatar_url"),
    headerUrl: text("header_url"),
    /**
     * Remote accounts: copies of the avatar and header made here (storage key and public URL),
     * shown instead of the remote files; `imagesCachedAt` is when they were last fetched (or
     * tried), so a picture that cannot be had is not fetched again until its URL changes.
     */
    avatarCacheKey: text("avatar_cache_key"),
    avatarCacheUrl: text("avatar_cache_url"),
    headerCacheKey: text("header_cache_key"),
    headerCacheUrl: text("header_cache_url"),
    imagesCachedAt: tstz("images_cached_at"),
    locked: boolean("locked").notNull().default(false),
    bot: boolean("bot").notNull().default(false),
    discoverable: boolean("discoverable").notNull().default(true),
    indexable: boolean("indexable").notNull().default(true),
    hideCollections: boolean("hide_collections").notNull().default(false),
    /** Profile fields (name and sanitized HTML value), at most 4 for local accounts. */
    fields: jsonb("fields").$type<ProfileField[]>().notNull().default([]),
    inboxUrl: text("inbox_url"),
    sharedInboxUrl: text("shared_inbox_url"),
    followersUrl: text("followers_url"),
    followingUrl: text("following_url"),
    outboxUrl: text("outbox_url"),
    featuredUrl: text("featured_url"),
    /** Counts reported by a remote server; local counts are computed from our tables. */
    followersCount: integer("followers_count").notNull().default(0),
    followingCount: integer("following_count").notNull().default(0),
    statusesCount: integer("statuses_count").notNull().default(0),
    publishedAt: tstz("published_at"),
    createdAt: createdAt(),
    updatedAt: tstz("updated_at").notNull().defaultNow(),
    fetchedAt: tstz("fetched_at"),
    /**
     * Moderation by this server's admins (`/api/v1/admin/accounts`), local or remote: a
     * suspended account is gone from every read path and cannot log in; a silenced one is kept
     * out of public timelines, search and the notifications of those who do not follow it.
     */
    suspendedAt: tstz("suspended_at"),
    silencedAt: tstz("silenced_at"),
    /** Moderated as sensitive: every media attachment of its posts is shown as sensitive. */
    sensitizedAt: tstz("sensitized_at"),
  },
  (t) => [
    uniqueIndex("accounts_uri_key").on(t.uri),
    uniqueIndex("accounts_acct_key").on(
      sql`lower(${t.username})`,
      sql`coalesce(lower(${t.domain}), '')`,
    ),
    index("accounts_url_idx").on(t.url),
    index("accounts_search_trgm_idx").using("gin", sql`${accountSearchText} gin_trgm_ops`),
    index("accounts_images_cached_idx")
      .on(t.imagesCachedAt)
      .where(sql`${t.avatarCacheKey} is not null or ${t.headerCacheKey} is not null`),
  ],
);

export const userRoles = ["user", "moderator", "admin"] as const;
export type UserRole = (typeof userRoles)[number];

/** What only local accounts have: a password and their signing keys (JWK). */
export const localUsers = pgTable("local_users", {
  accountId: id("account_id")
    .primaryKey()
    .references(() => accounts.id, { onDelete: "cascade" }),
  passwordHash: text("password_hash").notNull(),
  rsaPrivateKey: jsonb("rsa_private_key").notNull(),
  rsaPublicKey: jsonb("rsa_public_key").notNull(),
  ed25519PrivateKey: jsonb("ed25519_private_key").notNull(),
  ed25519PublicKey: jsonb("ed25519_public_key").notNull(),
  /** Who may quote this account's new posts unless a post says otherwise. */
  defaultQuotePolicy: text("default_quote_policy", { enum: ["public", "followers", "nobody"] })
    .notNull()
    .default("public"),
  /** `source` of the profile: the plain text the note and fields were written in. */
  noteSource: text("note_source").notNull().default(""),
  fieldsSource: jsonb("fields_source")
    .$type<{ name: string; value: string }[]>()
    .notNull()
    .default([]),
  /** Storage keys of the current avatar and header (to delete them when replaced). */
  avatarKey: text("avatar_key"),
  headerKey: text("header_key"),
  /** Posting defaults (`source[privacy]`, `source[sensitive]`, `source[language]`). */
  defaultPrivacy: text("default_privacy", { enum: ["public", "unlisted", "private", "direct"] })
    .notNull()
    .default("public"),
  defaultSensitive: boolean("default_sensitive").notNull().default(false),
  defaultLanguage: text("default_language"),
  /** Moderators and admins are told of reports (`tern account role`). */
  role: text("role", { enum: userRoles }).notNull().default("user"),
  /**
   * Sign-up (`POST /api/v1/accounts`, the sign-up page): false while an account made under the
   * `approval` registration mode waits for a moderator; it cannot log in until approved.
   */
  approved: boolean("approved").notNull().default(true),
  /** What the person wrote when asking to join (shown in the approval queue). */
  signUpReason: text("sign_up_reason"),
  /** Optional: e-mail is only required when SMTP is configured. */
  email: text("email"),
  /** The locale given at sign-up (`preferred_locale` of push payloads, pages). */
  locale: text("locale"),
  /** The invite link the account joined with, if any. */
  inviteId: id("invite_id"),
  /** The sign-up address bucket, for the approval queue and sign-up abuse limits. */
  signUpIp: text("sign_up_ip"),
  passwordChangedAt: tstz("password_changed_at"),
  /**
   * E-mail confirmation (only with SMTP): a pending confirmation has a token hash and no
   * `emailConfirmedAt`; only such an account is refused login. Accounts made without SMTP have
   * neither and are never asked.
   */
  emailConfirmedAt: tstz("email_confirmed_at"),
  emailConfirmationTokenHash: text("email_confirmation_token_hash"),
  emailConfirmationSentAt: tstz("email_confirmation_sent_at"),
  /** Password reset by e-mail: the SHA-256 of the link's token, valid until the expiry. */
  passwordResetTokenHash: text("password_reset_token_hash"),
  passwordResetExpiresAt: tstz("password_reset_expires_at"),
  /** Disabled by a moderator (`action` `disable`): cannot log in; the account stays visible. */
  disabledAt: tstz("disabled_at"),
  /** The composer's and API's default `content_type` when a post gives none. */
  defaultContentType: text("default_content_type", { enum: ["text/plain", "text/markdown"] })
    .notNull()
    .default("text/plain"),
  createdAt: createdAt(),
});

/**
 * What we count of an account ourselves, kept in the same transaction as the change (a follow
 * accepted or removed, a status stored or deleted), so rendering an Account never counts rows.
 * For remote accounts these are what this server has seen; their server's own figures stay in
 * `accounts.*_count`. A missing row means all zero.
 */
export const accountStats = pgTable("account_stats", {
  accountId: id("account_id")
    .primaryKey()
    .references(() => accounts.id, { onDelete: "cascade" }),
  /** Public, unlisted and followers-only statuses (direct ones are not counted, as Mastodon). */
  statusesCount: integer("statuses_count").notNull().default(0),
  followersCount: integer("followers_count").notNull().default(0),
  followingCount: integer("following_count").notNull().default(0),
  lastStatusAt: tstz("last_status_at"),
});
