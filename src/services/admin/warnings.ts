/**
 * Moderation warnings (Mastodon's AccountWarning): every action a moderator takes on an account
 * is stored with its text, report and statuses, and a local account is notified of it
 * (`moderation_warning`), in the action's own transaction.
 */
import { and, eq, inArray } from "drizzle-orm";
import type { Tx } from "../../db/client.ts";
import { type AccountWarningAction, accountWarnings, statuses } from "../../db/schema/index.ts";
import { AppError } from "../../lib/errors.ts";
import { isId, newId } from "../../lib/ids.ts";
import type { Account } from "../accounts/accounts.ts";
import { notify } from "../notifications/notify.ts";

export type AccountWarning = typeof accountWarnings.$inferSelect;

export interface WarningInput {
  action: AccountWarningAction;
  text?: string;
  reportId?: string | null;
  statusIds?: string[];
}

/** `status_ids` must name posts of the moderated account (a 422 otherwise, nothing written). */
export async function checkWarningStatuses(
  tx: Tx,
  target: Account,
  ids: string[] = [],
): Promise<string[]> {
  const wanted = [...new Set(ids)];
  if (wanted.length === 0) return [];
  if (wanted.length > 100 || !wanted.every(isId))
    throw new AppError(422, "status_ids: at most 100 status ids");
  const found = await tx
    .select({ id: statuses.id })
    .from(statuses)
    .where(and(inArray(statuses.id, wanted), eq(statuses.accountId, target.id)));
  if (found.length !== wanted.length)
    throw new AppError(422, "status_ids: not all of them are statuses of this account");
  return wanted;
}

/**
 * Stores the warning and, for a local account with a moderator to name, notifies it. The CLI
 * (no moderator) records the warning but has nobody to send it from.
 */
export async function warnAccount(
  tx: Tx,
  moderator: Account | null,
  target: Account,
  input: WarningInput,
): Promise<AccountWarning> {
  const [warning] = await tx
    .insert(accountWarnings)
    .values({
      id: newId(),
      targetAccountId: target.id,
      accountId: moderator?.id ?? null,
      action: input.action,
      text: input.text ?? "",
      reportId: input.reportId ?? null,
      statusIds: input.statusIds ?? [],
    })
    .returning();
  if (moderator && target.domain === null) {
    await notify(tx, {
      accountId: target.id,
      type: "moderation_warning",
      fromAccountId: moderator.id,
      reportId: input.reportId ?? null,
      accountWarningId: warning.id,
    });
  }
  return warning;
}

/** The warnings a page of notifications names, in one query. */
export async function warningsByIds(tx: Tx, ids: (string | null)[]): Promise<AccountWarning[]> {
  const wanted = [...new Set(ids.filter((id): id is string => id !== null))];
  if (wanted.length === 0) return [];
  return tx.select().from(accountWarnings).where(inArray(accountWarnings.id, wanted));
}
