import { sql } from "drizzle-orm";
import type { Tx } from "../../db/client.ts";
import type { NotificationType } from "../../db/schema/index.ts";
import { newId } from "../../lib/ids.ts";
import { publishNotification } from "../events/publish.ts";
import { queuePush } from "../push/queue.ts";
import { notifyingAccount } from "../safety/hidden.ts";
import { threadNotMuted } from "../statuses/thread-mutes.ts";

export interface NotifyInput {
  /** The recipient: only a local account is ever notified (checked here, in the same query). */
  accountId: string;
  type: NotificationType;
  fromAccountId: string;
  statusId?: string | null;
  /** The report an `admin.report` is about. */
  reportId?: string | null;
  /** `moderation_warning` only: the stored warning (its action, text, report and statuses). */
  accountWarningId?: string | null;
}

/**
 * What v2's grouped notifications group by. Favourites and boosts of one status group together,
 * follows per day (as Mastodon does); everything else is a group of its own.
 */
export function groupKey(input: NotifyInput, id: string): string {
  switch (input.type) {
    case "favourite":
    case "reblog":
      return `${input.type}-${input.statusId}`;
    // Follow requests stay apart (each is answered on its own), as on Mastodon.
    case "follow":
      return `${input.type}-${Math.floor(Date.now() / 86_400_000)}`;
    case "moderation_warning":
      return `moderation_warning-${input.accountWarningId ?? id}`;
    default:
      return `ungrouped-${id}`;
  }
}

/**
 * Writes one notification inside the caller's transaction. Nobody is notified of their own
 * action, remote recipients never (their server notifies them), and the same event twice (a
 * favourite undone and redone, a Follow re-sent) notifies once: the event key absorbs it.
 */
export async function notify(tx: Tx, input: NotifyInput): Promise<void> {
  if (input.accountId === input.fromAccountId) return;
  const id = newId();
  // One statement: the recipient must be a local account, and a repeat hits the event key.
  await tx.execute(sql`
    insert into notifications (id, account_id, type, from_account_id, status_id, group_key, report_id, account_warning_id)
    select ${id}::bigint, a.id, ${input.type}::text, ${input.fromAccountId}::bigint,
           ${input.statusId ?? null}::bigint, ${groupKey(input, id)}::text, ${input.reportId ?? null}::bigint,
           ${input.accountWarningId ?? null}::bigint
    from accounts a where a.id = ${input.accountId}::bigint and a.domain is null
      and ${threadNotMuted(sql`a.id`, sql`${input.statusId ?? null}::bigint`)}
      and ${notifyingAccount(sql`a.id`, sql`${input.fromAccountId}::bigint`)}
    on conflict do nothing`);
  await publishNotification(tx, id, input.accountId);
  await queuePush(tx, id, input.accountId);
}

/** A new status mentioning accounts: each local one is notified (in the post's transaction). */
export async function notifyMentions(
  tx: Tx,
  status: { id: string; accountId: string },
  mentionedIds: string[],
): Promise<void> {
  for (const accountId of new Set(mentionedIds)) {
    await notify(tx, {
      accountId,
      type: "mention",
      fromAccountId: status.accountId,
      statusId: status.id,
    });
  }
}

/**
 * Takes back the notification of an event that was undone (a boost taken back), in the caller's
 * transaction: the recipient no longer sees an act that no longer exists.
 */
export async function unnotify(tx: Tx, input: NotifyInput): Promise<void> {
  await tx.execute(sql`
    delete from notifications
    where account_id = ${input.accountId}::bigint and type = ${input.type}::text
      and from_account_id = ${input.fromAccountId}::bigint
      and status_id is not distinct from ${input.statusId ?? null}::bigint`);
}
