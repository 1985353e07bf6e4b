import { sql } from "drizzle-orm";
import {
  type AnyPgColumn,
  bigserial,
  index,
  integer,
  jsonb,
  pgTable,
  text,
} from "drizzle-orm/pg-core";
import { createdAt, tstz } from "./columns.ts";

/**
 * The durable job queue shared by Fedify (inbox, outbox, fan-out) and Tern's own jobs.
 * A worker claims due rows with FOR UPDATE SKIP LOCKED and sets a lease (`locked_until`);
 * a worker that dies leaves its lease to expire and the job is claimed again.
 */
export const jobs = pgTable(
  "jobs",
  {
    id: bigserial("id", { mode: "bigint" }).primaryKey(),
    queue: text("queue").notNull(),
    payload: jsonb("payload").notNull(),
    runAt: tstz("run_at").notNull().defaultNow(),
    lockedUntil: tstz("locked_until"),
    lockedBy: text("locked_by"),
    /** Jobs sharing a key run one at a time, oldest first (Fedify's `orderingKey`). */
    orderingKey: text("ordering_key"),
    /** The remote host a delivery goes to, so one slow host cannot hold every worker slot. */
    host: text("host"),
    attempts: integer("attempts").notNull().default(0),
    lastError: text("last_error"),
    /** The fields this job shares with others (see jobParts), merged into `payload` when claimed. */
    part: text("part").references((): AnyPgColumn => jobParts.hash),
    createdAt: createdAt(),
  },
  (t) => [
    index("jobs_due_idx").on(t.queue, t.runAt),
    index("jobs_ordering_idx")
      .on(t.queue, t.orderingKey, t.id)
      .where(sql`${t.orderingKey} is not null`),
    index("jobs_host_running_idx")
      .on(t.queue, t.host)
      .where(sql`${t.host} is not null and ${t.lockedUntil} is not null`),
    index("jobs_part_idx").on(t.part).where(sql`${t.part} is not null`),
  ],
);

/**
 * What many jobs of one enqueue carry alike, stored once: the activity and the signing keys of a
 * fan-out's deliveries (6 KB each, 1,000 times the same for 1,000 inboxes). Keyed by the SHA-256
 * of the body; `touched_at` is renewed by every enqueue that uses it, and a part neither used for
 * an hour nor referenced by a job is swept.
 */
export const jobParts = pgTable("job_parts", {
  hash: text("hash").primaryKey(),
  body: jsonb("body").notNull(),
  touchedAt: tstz("touched_at").notNull().defaultNow(),
});

/** Fedify's key-value store (remote key and document cache, idempotence records). */
export const kv = pgTable(
  "kv",
  {
    key: text("key").primaryKey(),
    value: jsonb("value").notNull(),
    expiresAt: tstz("expires_at"),
  },
  (t) => [index("kv_expires_idx").on(t.expiresAt).where(sql`${t.expiresAt} is not null`)],
);

/**
 * Fixed-window request counters shared by every web process (rate limits, login throttling).
 * `key` names what is counted, e.g. `api:token:<id>` or `login:ip:<address>`.
 */
export const rateLimits = pgTable(
  "rate_limits",
  {
    key: text("key").primaryKey(),
    hits: integer("hits").notNull().default(0),
    resetAt: tstz("reset_at").notNull(),
  },
  (t) => [index("rate_limits_reset_idx").on(t.resetAt)],
);

/**
 * Delivery health per remote host: consecutive failures since the last success. A host failing
 * for days is marked `unreachableSince`, skipped by new deliveries and shown to admins; the
 * first success clears it.
 */
export const deliveryHosts = pgTable(
  "delivery_hosts",
  {
    host: text("host").primaryKey(),
    failureCount: integer("failure_count").notNull().default(0),
    firstFailureAt: tstz("first_failure_at"),
    lastFailureAt: tstz("last_failure_at"),
    lastSuccessAt: tstz("last_success_at"),
    unreachableSince: tstz("unreachable_since"),
    lastError: text("last_error"),
    updatedAt: tstz("updated_at").notNull().defaultNow(),
  },
  (t) => [
    index("delivery_hosts_failing_idx").on(t.lastFailureAt).where(sql`${t.failureCount} > 0`),
  ],
);
