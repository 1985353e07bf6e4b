/**
 * Automatic deletion of old posts (Mastodon's "automated post deletion"): per account, posts
 * older than `minStatusAgeDays` are deleted, except those the policy keeps. A job per enabled
 * policy deletes at most BATCH posts per run through the normal delete, so every Delete
 * federates and counters stay right; the worker queues the runs every hour.
 */
import { and, asc, eq, gt, lt, type SQL, sql } from "drizzle-orm";
import { type Db, queryRows, type Tx } from "../../db/client.ts";
import {
  bookmarks,
  favourites,
  jobs,
  mediaAttachments,
  polls,
  statusCleanupPolicies,
  statuses,
  statusPins,
  statusStats,
} from "../../db/schema/index.ts";
import { AppError } from "../../lib/errors.ts";
import { idAtTime } from "../../lib/ids.ts";
import { logger } from "../../lib/logger.ts";
import { getAccount } from "../accounts/accounts.ts";
import { notifyQueue, TERN_QUEUE } from "../jobs.ts";
import { deleteLocalStatus } from "./local.ts";

const log = logger("statuses", "cleanup");

/** Posts deleted per account per run: small, so a run never holds the worker for long. */
export const CLEANUP_BATCH = 100;
/** Mastodon's shortest choice is a week: a typo must not wipe yesterday's posts. */
export const MIN_AGE_DAYS = 7;
export const MAX_AGE_DAYS = 3650;
const DAY_MS = 86_400_000;

export type CleanupPolicy = typeof statusCleanupPolicies.$inferSelect;
export type CleanupSettings = Omit<CleanupPolicy, "accountId" | "lastCheckedId" | "updatedAt">;

/** What an account without a saved policy has (the column defaults: off). */
const DEFAULTS: CleanupSettings = {
  enabled: false,
  minStatusAgeDays: 14,
  keepDirect: true,
  keepPinned: true,
  keepPolls: false,
  keepMedia: false,
  keepSelfFav: true,
  keepSelfBookmark: true,
  minFavs: null,
  minReblogs: null,
};

export async function getCleanupPolicy(db: Tx, accountId: string): Promise<CleanupSettings> {
  const [row] = await db
    .select()
    .from(statusCleanupPolicies)
    .where(eq(statusCleanupPolicies.accountId, accountId));
  if (!row) return { ...DEFAULTS };
  const { accountId: _a, lastCheckedId: _l, updatedAt: _u, ...settings } = row;
  return settings;
}

/** Saves the changed settings; a change restarts the walk (what is kept may now differ). */
export async function updateCleanupPolicy(
  db: Db,
  accountId: string,
  change: Partial<CleanupSettings>,
): Promise<CleanupSettings> {
  // Unsaid fields keep their value.
  const given = Object.fromEntries(Object.entries(change).filter(([, v]) => v !== undefined));
  const next: CleanupSettings = { ...(await getCleanupPolicy(db, accountId)), ...given };
  const age = next.minStatusAgeDays;
  if (!Number.isInteger(age) || age < MIN_AGE_DAYS || age > MAX_AGE_DAYS)
    throw new AppError(
      422,
      `Validation failed: min_status_age_days must be ${MIN_AGE_DAYS} to ${MAX_AGE_DAYS}`,
    );
  const row = { ...next, lastCheckedId: null, updatedAt: new Date() };
  await db
    .insert(statusCleanupPolicies)
    .values({ accountId, ...row })
    .onConflictDoUpdate({ target: statusCleanupPolicies.accountId, set: row });
  return next;
}

/** The conditions a post must meet to go: old enough and kept by nothing the policy names. */
function eligible(accountId: string, p: CleanupPolicy, now: number): SQL[] {
  const cutoff = now - p.minStatusAgeDays * DAY_MS;
  const none = (table: SQL) => sql`not exists (${table})`;
  const where: SQL[] = [
    eq(statuses.accountId, accountId),
    // Ids sort by time: the bound keeps the scan on statuses_account_idx below the cutoff.
    lt(statuses.id, idAtTime(cutoff)),
    lt(statuses.createdAt, new Date(cutoff)),
  ];
  if (p.lastCheckedId) where.push(gt(statuses.id, p.lastCheckedId));
  if (p.keepDirect) where.push(sql`${statuses.visibility} <> 'direct'`);
  if (p.keepPinned)
    where.push(
      none(
        sql`select 1 from ${statusPins} where ${statusPins.statusId} = ${statuses.id} and ${statusPins.accountId} = ${accountId}`,
      ),
    );
  if (p.keepPolls)
    where.push(none(sql`select 1 from ${polls} where ${polls.statusId} = ${statuses.id}`));
  if (p.keepMedia)
    where.push(
      none(
        sql`select 1 from ${mediaAttachments} where ${mediaAttachments.statusId} = ${statuses.id}`,
      ),
    );
  if (p.keepSelfFav)
    where.push(
      none(
        sql`select 1 from ${favourites} where ${favourites.statusId} = ${statuses.id} and ${favourites.accountId} = ${accountId}`,
      ),
    );
  if (p.keepSelfBookmark)
    where.push(
      none(
        sql`select 1 from ${bookmarks} where ${bookmarks.statusId} = ${statuses.id} and ${bookmarks.accountId} = ${accountId}`,
      ),
    );
  const stat = (column: SQL) =>
    sql`coalesce((select ${column} from ${statusStats} where ${statusStats.statusId} = ${statuses.id}), 0)`;
  if (p.minFavs) where.push(sql`${stat(sql`${statusStats.favouritesCount}`)} < ${p.minFavs}`);
  if (p.minReblogs) where.push(sql`${stat(sql`${statusStats.reblogsCount}`)} < ${p.minReblogs}`);
  return where;
}

/**
 * One run for one account: deletes up to `batch` eligible posts, oldest first. A full batch
 * leaves `lastCheckedId` at the last one, so the next run goes on from there; a short one has
 * reached the cutoff and the next run starts over (a post unpinned meanwhile is found then).
 * `now` is for tests. Returns how many posts were deleted.
 */
export async function runCleanupPolicy(
  db: Db,
  accountId: string,
  opts: { now?: number; batch?: number } = {},
): Promise<number> {
  const [policy] = await db
    .select()
    .from(statusCleanupPolicies)
    .where(eq(statusCleanupPolicies.accountId, accountId));
  if (!policy?.enabled) return 0;
  const batch = opts.batch ?? CLEANUP_BATCH;
  const rows = await db
    .select({ id: statuses.id })
    .from(statuses)
    .where(and(...eligible(accountId, policy, opts.now ?? Date.now())))
    .orderBy(asc(statuses.id))
    .limit(batch);
  const author = await getAccount(db, accountId);
  let deleted = 0;
  for (const { id } of rows) {
    // One transaction per post, as a user's delete: a failure leaves the others done.
    try {
      await deleteLocalStatus(db, author, id);
      deleted++;
    } catch (error) {
      if (!(error instanceof AppError && error.status === 404)) throw error;
    }
  }
  await db
    .update(statusCleanupPolicies)
    .set({ lastCheckedId: rows.length === batch ? rows.at(-1)!.id : null })
    .where(eq(statusCleanupPolicies.accountId, accountId));
  if (deleted) log.info("Deleted {deleted} old posts of {accountId}", { deleted, accountId });
  return deleted;
}

/**
 * Queues a run for every enabled policy that has none queued yet (every worker's timer calls
 * this, so the check keeps runs from piling up). Returns how many were queued.
 */
export async function queueCleanupRuns(db: Db): Promise<number> {
  return db.transaction(async (tx) => {
    const queued = await queryRows<{ id: string }>(
      tx,
      sql`
      insert into ${jobs} (queue, payload)
      select ${TERN_QUEUE}, jsonb_build_object('type', 'status.cleanup', 'accountId', p.account_id::text)
      from ${statusCleanupPolicies} p
      where p.enabled and not exists (
        select 1 from ${jobs} j
        where j.queue = ${TERN_QUEUE} and j.payload->>'type' = 'status.cleanup'
          and j.payload->>'accountId' = p.account_id::text)
      returning id`,
    );
    if (queued.length) await notifyQueue(tx, TERN_QUEUE);
    return queued.length;
  });
}
