import { sql } from "drizzle-orm";
import { boolean, index, pgTable, text, uniqueIndex } from "drizzle-orm/pg-core";
import { accounts } from "./accounts.ts";
import { createdAt, id, tstz } from "./columns.ts";

/**
 * A block, local or remote (`uri` is the Block activity's id). Blocking removes follows both ways;
 * the blocked account disappears from the blocker's reads and cannot reach them.
 */
export const blocks = pgTable(
  "blocks",
  {
    id: id("id").primaryKey(),
    accountId: id("account_id")
      .notNull()
      .references(() => accounts.id, { onDelete: "cascade" }),
    targetAccountId: id("target_account_id")
      .notNull()
      .references(() => accounts.id, { onDelete: "cascade" }),
    uri: text("uri").notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("blocks_pair_key").on(t.accountId, t.targetAccountId),
    index("blocks_target_idx").on(t.targetAccountId),
    index("blocks_uri_idx").on(t.uri),
    index("blocks_account_idx").on(t.accountId, t.id),
  ],
);

/** A mute: local only, never federated; optionally of notifications too, optionally timed. */
export const mutes = pgTable(
  "mutes",
  {
    id: id("id").primaryKey(),
    accountId: id("account_id")
      .notNull()
      .references(() => accounts.id, { onDelete: "cascade" }),
    targetAccountId: id("target_account_id")
      .notNull()
      .references(() => accounts.id, { onDelete: "cascade" }),
    hideNotifications: boolean("hide_notifications").notNull().default(true),
    /** Null: until unmuted. */
    expiresAt: tstz("expires_at"),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("mutes_pair_key").on(t.accountId, t.targetAccountId),
    index("mutes_account_idx").on(t.accountId, t.id),
    index("mutes_expires_idx").on(t.expiresAt).where(sql`${t.expiresAt} is not null`),
  ],
);

/** A user's own block of a whole domain (`/api/v1/domain_blocks`). */
export const accountDomainBlocks = pgTable(
  "account_domain_blocks",
  {
    id: id("id").primaryKey(),
    accountId: id("account_id")
      .notNull()
      .references(() => accounts.id, { onDelete: "cascade" }),
    /** Lower-cased host. */
    domain: text("domain").notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("account_domain_blocks_key").on(t.accountId, t.domain),
    index("account_domain_blocks_domain_idx").on(t.domain),
  ],
);

export const domainBlockSeverities = ["noop", "silence", "suspend"] as const;
export type DomainBlockSeverity = (typeof domainBlockSeverities)[number];

/** The server's block of a domain (admin): silence, suspend, reject media or reports. */
export const domainBlocks = pgTable(
  "domain_blocks",
  {
    id: id("id").primaryKey(),
    /** Lower-cased host; a block of `example.com` covers its subdomains. */
    domain: text("domain").notNull(),
    severity: text("severity", { enum: domainBlockSeverities }).notNull().default("silence"),
    rejectMedia: boolean("reject_media").notNull().default(false),
    rejectReports: boolean("reject_reports").notNull().default(false),
    privateComment: text("private_comment"),
    publicComment: text("public_comment"),
    /** Listed publicly with part of the name starred out. */
    obfuscate: boolean("obfuscate").notNull().default(false),
    createdAt: createdAt(),
    updatedAt: tstz("updated_at").notNull().defaultNow(),
  },
  (t) => [uniqueIndex("domain_blocks_domain_key").on(t.domain)],
);

/** Domains allowed to federate when `FEDERATION_MODE=allowlist`. */
export const domainAllows = pgTable(
  "domain_allows",
  {
    id: id("id").primaryKey(),
    domain: text("domain").notNull(),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("domain_allows_domain_key").on(t.domain)],
);
