import { and, asc, eq, inArray, isNull, sql } from "drizzle-orm";
import type { Config } from "../../config/index.ts";
import { type Db, queryRows, type Tx } from "../../db/client.ts";
import { mediaAttachments, scheduledStatuses } from "../../db/schema/index.ts";
import { AppError, notFound } from "../../lib/errors.ts";
import { newId } from "../../lib/ids.ts";
import type { Account } from "../accounts/accounts.ts";
import { enqueueJobAt } from "../jobs.ts";
import type { Media } from "../media/media.ts";
import { keyset, type Page } from "../paging.ts";
import { createLocalStatus, type MemberAction, type StatusInput } from "../statuses/local.ts";
import type { StatusBundle } from "../statuses/types.ts";
import { recordMemberAction } from "../teams/audit.ts";

/** Mastodon's rules (PostStatusService::MIN_SCHEDULE_OFFSET, ScheduledStatus's limits). */
export const MIN_SCHEDULE_OFFSET_MS = 5 * 60_000;
export const SCHEDULED_TOTAL_LIMIT = 300;
export const SCHEDULED_DAILY_LIMIT = 25;

/**
 * What a scheduled post stores: the posting service's input as the client gave it (whatever
 * `POST /api/v1/statuses` accepts passes through), with the visibility it resolved to then.
 */
export type ScheduledParams = Omit<StatusInput, "resolveMention"> & {
  applicationId?: string | null;
  /** The request's Idempotency-Key: a retried request gets the same scheduled post back. */
  idempotencyKey?: string | null;
};

export type ScheduledStatusRow = typeof scheduledStatuses.$inferSelect;
export interface ScheduledStatus extends Omit<ScheduledStatusRow, "params"> {
  params: ScheduledParams;
  media: Media[];
}

/** Thrown to roll back the trial post of `scheduleStatus` (it carries what the post became). */
class TrialPost extends Error {
  readonly bundle: StatusBundle;
  constructor(bundle: StatusBundle) {
    super("trial post");
    this.bundle = bundle;
  }
}

/**
 * Schedules a post for `at`. Its parameters are checked now, by posting it for real inside a
 * savepoint that is then rolled back: a bad poll, someone else's media or a reply to a hidden post
 * is a 422 today, with exactly the checks of posting now, not a silent failure at publish time.
 * The publishing job is written in the same transaction, to run at `at`.
 */
export async function scheduleStatus(
  db: Db,
  config: Config,
  author: Account,
  input: StatusInput,
  at: Date,
  opts: { applicationId?: string | null; idempotencyKey?: string } & MemberAction = {},
): Promise<ScheduledStatus> {
  checkTime(at);
  const { resolveMention: _, ...stored } = input;
  return db.transaction(async (tx) => {
    // One scheduling at a time per account, so that two requests cannot both pass the limits.
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`tern.schedule:${author.id}`}))`);
    if (opts.idempotencyKey) {
      const [earlier] = await queryRows<{ id: string | number }>(
        tx,
        sql`select id from scheduled_statuses where account_id = ${author.id}
            and params->>'idempotencyKey' = ${opts.idempotencyKey} limit 1`,
      );
      if (earlier) return getScheduledStatus(tx, author.id, String(earlier.id));
    }
    await checkLimits(tx, author.id, at);
    const trial = await trialPost(tx, config, author, input);
    const id = newId();
    const params: ScheduledParams = {
      ...stored,
      visibility: trial.status.visibility,
      applicationId: opts.applicationId ?? null,
      idempotencyKey: opts.idempotencyKey ?? null,
    };
    await tx
      .insert(scheduledStatuses)
      .values({ id, accountId: author.id, scheduledAt: at, params });
    await claimMedia(tx, author.id, id, stored.mediaIds ?? []);
    await recordMemberAction(tx, opts.grantedByAccountId, {
      accountId: author.id,
      action: "status.schedule",
      detail: { scheduledStatusId: id, scheduledAt: at.toISOString() },
    });
    await enqueueJobAt(tx, { type: "status.publish_scheduled", scheduledStatusId: id }, at);
    return getScheduledStatus(tx, author.id, id);
  });
}

/** PUT /api/v1/scheduled_statuses/:id: a new time (same rules); the job for the old one exits. */
export async function rescheduleStatus(
  db: Db,
  accountId: string,
  id: string,
  at: Date,
  by: MemberAction = {},
): Promise<ScheduledStatus> {
  checkTime(at);
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`tern.schedule:${accountId}`}))`);
    await getScheduledStatus(tx, accountId, id);
    await checkLimits(tx, accountId, at, id);
    await tx.update(scheduledStatuses).set({ scheduledAt: at }).where(eq(scheduledStatuses.id, id));
    await recordMemberAction(tx, by.grantedByAccountId, {
      accountId,
      action: "scheduled.update",
      detail: { scheduledStatusId: id, scheduledAt: at.toISOString() },
    });
    await enqueueJobAt(tx, { type: "status.publish_scheduled", scheduledStatusId: id }, at);
    return getScheduledStatus(tx, accountId, id);
  });
}

/** DELETE /api/v1/scheduled_statuses/:id: its media become plain uploads again (FK set null). */
export async function cancelScheduledStatus(
  db: Db,
  accountId: string,
  id: string,
  by: MemberAction = {},
): Promise<void> {
  await db.transaction(async (tx) => {
    const gone = await tx
      .delete(scheduledStatuses)
      .where(and(eq(scheduledStatuses.id, id), eq(scheduledStatuses.accountId, accountId)))
      .returning({ id: scheduledStatuses.id });
    if (gone.length === 0) throw notFound();
    await recordMemberAction(tx, by.grantedByAccountId, {
      accountId,
      action: "scheduled.cancel",
      detail: { scheduledStatusId: id },
    });
  });
}

/** One of the account's scheduled posts, or 404 (someone else's is "not found" too). */
export async function getScheduledStatus(
  db: Tx,
  accountId: string,
  id: string,
): Promise<ScheduledStatus> {
  const [row] = await db
    .select()
    .from(scheduledStatuses)
    .where(and(eq(scheduledStatuses.id, id), eq(scheduledStatuses.accountId, accountId)));
  if (!row) throw notFound();
  return (await withMedia(db, [row]))[0];
}

/** The account's scheduled posts, newest first by id (as Mastodon pages them). */
export async function listScheduledStatuses(
  db: Tx,
  accountId: string,
  page: Page,
): Promise<ScheduledStatus[]> {
  const k = keyset(scheduledStatuses.id, page);
  const rows = await db
    .select()
    .from(scheduledStatuses)
    .where(and(eq(scheduledStatuses.accountId, accountId), ...k.where))
    .orderBy(k.order)
    .limit(page.limit);
  return withMedia(db, k.newestFirst(rows));
}

function checkTime(at: Date): void {
  if (at.getTime() <= Date.now() + MIN_SCHEDULE_OFFSET_MS)
    throw new AppError(
      422,
      "Validation failed: Scheduled at The scheduled date must be in the future",
    );
}

/**
 * At most 300 pending per account, and 25 for one (UTC) day, as Mastodon counts them; `exceptId`
 * is the post being moved, which does not count against itself.
 */
async function checkLimits(tx: Tx, accountId: string, at: Date, exceptId?: string): Promise<void> {
  const [counts] = await queryRows<{ total: number; same_day: number }>(
    tx,
    sql`select count(*)::int as total,
          count(*) filter (where (scheduled_at at time zone 'UTC')::date
                           = (${at.toISOString()}::timestamptz at time zone 'UTC')::date)::int as same_day
        from scheduled_statuses
        where account_id = ${accountId} ${exceptId ? sql`and id <> ${exceptId}` : sql``}`,
  );
  if (!exceptId && counts.total >= SCHEDULED_TOTAL_LIMIT)
    throw new AppError(
      422,
      `Validation failed: You have exceeded the limit of ${SCHEDULED_TOTAL_LIMIT} scheduled posts`,
    );
  if (counts.same_day >= SCHEDULED_DAILY_LIMIT)
    throw new AppError(
      422,
      `Validation failed: You have exceeded the limit of ${SCHEDULED_DAILY_LIMIT} scheduled posts for today`,
    );
}

async function trialPost(
  tx: Tx,
  config: Config,
  author: Account,
  input: StatusInput,
): Promise<StatusBundle> {
  try {
    await tx.transaction(async (savepoint) => {
      throw new TrialPost(await createLocalStatus(savepoint as Db, config, author, input));
    });
  } catch (error) {
    if (error instanceof TrialPost) return error.bundle;
    throw error;
  }
  throw new Error("unreachable: the trial post always rolls back");
}

/** The uploads wait on the scheduled post: no other post may take them, the clean-up skips them. */
async function claimMedia(tx: Tx, accountId: string, id: string, mediaIds: string[]) {
  for (const [position, mediaId] of mediaIds.entries()) {
    const claimed = await tx
      .update(mediaAttachments)
      .set({ scheduledStatusId: id, position })
      .where(
        and(
          eq(mediaAttachments.id, mediaId),
          eq(mediaAttachments.accountId, accountId),
          isNull(mediaAttachments.statusId),
          isNull(mediaAttachments.scheduledStatusId),
        ),
      )
      .returning({ id: mediaAttachments.id });
    if (claimed.length === 0)
      throw new AppError(
        422,
        "Validation failed: a media was attached to another status meanwhile",
      );
  }
}

/**
 * Their media, found by the ids their params name (primary-key lookups: media_attachments has
 * no index on scheduled_status_id) and kept only while they still wait on that post.
 */
async function withMedia(db: Tx, rows: ScheduledStatusRow[]): Promise<ScheduledStatus[]> {
  const named = rows.flatMap((r) => (r.params as ScheduledParams).mediaIds ?? []);
  const media = named.length
    ? await db
        .select()
        .from(mediaAttachments)
        .where(inArray(mediaAttachments.id, named))
        .orderBy(asc(mediaAttachments.position), asc(mediaAttachments.id))
    : [];
  return rows.map((row) => ({
    ...row,
    params: row.params as ScheduledParams,
    media: media.filter((m) => m.scheduledStatusId === row.id),
  }));
}
