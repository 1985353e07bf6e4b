import { and, eq, lte, sql } from "drizzle-orm";
import type { Config } from "../../config/index.ts";
import { type Db, queryRows } from "../../db/client.ts";
import { drafts, scheduledStatuses } from "../../db/schema/index.ts";
import { AppError } from "../../lib/errors.ts";
import { newId } from "../../lib/ids.ts";
import { logger } from "../../lib/logger.ts";
import { getAccount } from "../accounts/accounts.ts";
import { createLocalStatus } from "../statuses/local.ts";
import type { StatusBundle } from "../statuses/types.ts";
import type { ScheduledParams } from "./scheduled.ts";

const log = logger("services", "scheduled");

/**
 * Publishes a scheduled post whose time has come, in ONE transaction: its row is deleted and the
 * status created by the normal posting service (media move over, the poll is created, fan-out,
 * delivery and notifications are queued as for any post). Two workers racing both try the
 * delete; the second waits for the first to commit and then finds nothing, so a post is never
 * published twice. A row whose time was moved later (PUT) is left for the job of its new time.
 *
 * Mentions are not looked up again here: the check when it was scheduled stored the accounts.
 * A post that can no longer be published (its parent was deleted, its quote refused) is not lost:
 * it becomes a draft of its author's.
 */
export async function publishScheduledStatus(
  db: Db,
  config: Config,
  id: string,
): Promise<StatusBundle | null> {
  try {
    return await db.transaction(async (tx) => {
      const [row] = await tx
        .delete(scheduledStatuses)
        .where(
          and(
            eq(scheduledStatuses.id, id),
            lte(scheduledStatuses.scheduledAt, sql`now()`),
            // A suspended author's posts wait (the sweep skips them too).
            sql`${scheduledStatuses.accountId} in (select id from accounts where suspended_at is null)`,
          ),
        )
        .returning();
      if (!row) return null;
      const author = await getAccount(tx, row.accountId);
      const { applicationId: _a, idempotencyKey: _k, ...input } = row.params as ScheduledParams;
      return createLocalStatus(tx as Db, config, author, input);
    });
  } catch (error) {
    if (!(error instanceof AppError) || error.status >= 500) throw error;
    await keepAsDraft(db, id, error.message);
    return null;
  }
}

/**
 * For a publishing job that was lost: posts overdue by more than `graceMs` are published here
 * (run by every worker every minute; publishing is safe to race). Returns how many it published.
 */
export async function publishOverdueStatuses(
  db: Db,
  config: Config,
  graceMs = 60_000,
  batch = 100,
): Promise<number> {
  const due = await queryRows<{ id: string | number }>(
    db,
    sql`select s.id from scheduled_statuses s join accounts a on a.id = s.account_id
        where s.scheduled_at <= now() - ${`${graceMs} milliseconds`}::interval
          and a.suspended_at is null
        order by s.scheduled_at limit ${batch}`,
  );
  let published = 0;
  for (const { id } of due) {
    const bundle = await publishScheduledStatus(db, config, String(id)).catch((error) => {
      log.warn("Overdue scheduled status {id} could not be published: {error}", { id, error });
      return null;
    });
    if (bundle) published++;
  }
  return published;
}

/**
 * A scheduled post's parameters in the names of `POST /api/v1/statuses` (what a draft holds and
 * what the ScheduledStatus entity shows): known ones mapped, any other passed through in
 * snake_case (a `contentType` becomes `content_type`).
 */
export function toStatusParams(params: ScheduledParams): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined || key === "applicationId" || key === "idempotencyKey") continue;
    if (key === "quotePolicy") out.quote_approval_policy = value;
    else if (key === "poll" && params.poll)
      out.poll = {
        options: params.poll.options,
        expires_in: params.poll.expiresIn,
        multiple: params.poll.multiple,
        hide_totals: params.poll.hideTotals,
      };
    else out[key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)] = value;
  }
  return out;
}

async function keepAsDraft(db: Db, id: string, reason: string): Promise<void> {
  await db.transaction(async (tx) => {
    const [row] = await tx
      .delete(scheduledStatuses)
      .where(eq(scheduledStatuses.id, id))
      .returning();
    if (!row) return;
    await tx.insert(drafts).values({
      id: newId(),
      accountId: row.accountId,
      params: toStatusParams(row.params as ScheduledParams),
    });
    log.warn("Scheduled status {id} could not be published ({reason}); kept as a draft", {
      id,
      reason,
    });
  });
}
