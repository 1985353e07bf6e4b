/**
 * What moderators do to an account (`/api/v1/admin/accounts/:id/action`, the admin pages, the
 * CLI): silence, suspend and their undoing, with every effect in the same transaction, so a
 * suspended account is locked out the moment the answer arrives.
 */
import { and, eq, isNotNull, isNull } from "drizzle-orm";
import type { Db, Tx } from "../../db/client.ts";
import { accessTokens, accounts, follows, reports, type UserRole } from "../../db/schema/index.ts";
import { AppError } from "../../lib/errors.ts";
import type { Account } from "../accounts/accounts.ts";
import { countFollows } from "../accounts/counters.ts";
import { publishEvent } from "../events/publish.ts";
import { enqueueJob } from "../jobs.ts";
import { notify } from "../notifications/notify.ts";
import { deleteAccountWebSessions } from "../sessions/web-sessions.ts";

/** Mastodon's action types; `disable` and `sensitive` need state Tern does not keep (a 422). */
export const ACTION_TYPES = ["none", "sensitive", "disable", "silence", "suspend"] as const;
export type ActionType = (typeof ACTION_TYPES)[number];

export interface ModerationAction {
  type: ActionType;
  /** A report about this account that the action settles (resolved by the moderator). */
  reportId?: string;
}

/**
 * Every token of the account revoked and its browser sessions ended, so its next API call is a
 * 401 and its open streams close (the `token_revoked` event reaches every process).
 */
async function lockOut(tx: Tx, accountId: string): Promise<void> {
  const revoked = await tx
    .update(accessTokens)
    .set({ revokedAt: new Date() })
    .where(and(eq(accessTokens.accountId, accountId), isNull(accessTokens.revokedAt)))
    .returning({ id: accessTokens.id });
  for (const { id } of revoked) await publishEvent(tx, { t: "token_revoked", id });
  await deleteAccountWebSessions(tx, accountId);
}

/**
 * A remote account's follows of local accounts are rejected and removed, as Mastodon does: its
 * server would otherwise keep receiving their followers-only posts. Not undone by unsuspending.
 */
async function rejectRemoteFollows(tx: Tx, account: Account): Promise<void> {
  const gone = await tx.delete(follows).where(eq(follows.followerId, account.id)).returning();
  await countFollows(
    tx,
    gone.filter((f) => f.state === "accepted"),
    -1,
  );
  for (const f of gone) {
    await enqueueJob(tx, {
      type: "follow.rejected",
      followerId: f.followerId,
      followingId: f.followingId,
      followUri: f.uri,
    });
  }
}

async function resolveReport(
  tx: Tx,
  reportId: string,
  target: Account,
  moderatorId: string | null,
) {
  const [row] = await tx
    .update(reports)
    .set({ actionTakenAt: new Date(), actionTakenByAccountId: moderatorId, updatedAt: new Date() })
    .where(and(eq(reports.id, reportId), eq(reports.targetAccountId, target.id)))
    .returning({ id: reports.id });
  if (!row) throw new AppError(404, "report_id: no report about this account");
}

const RANK: Record<UserRole, number> = { user: 0, moderator: 1, admin: 2 };

/**
 * Mastodon's rule: a moderator acts only on accounts whose role ranks below theirs, so a
 * moderator cannot suspend an admin or another moderator. The CLI (the server's owner) skips it.
 */
export function mayModerate(actorRole: UserRole, targetRole: UserRole | undefined): boolean {
  return RANK[actorRole] > RANK[targetRole ?? "user"];
}

/**
 * Applies one action to `target` by `moderator` (a local staff account, checked by the caller;
 * null for the CLI, which resolves no report and sends no warning, having nobody to send it).
 */
export async function moderateAccount(
  db: Db,
  moderator: Account | null,
  target: Account,
  action: ModerationAction,
): Promise<void> {
  if (action.type === "disable" || action.type === "sensitive") {
    throw new AppError(422, `type: Tern does not support the ${action.type} action`);
  }
  if (target.id === moderator?.id) throw new AppError(403, "You cannot moderate yourself");
  await db.transaction(async (tx) => {
    if (action.type === "silence") {
      await tx
        .update(accounts)
        .set({ silencedAt: new Date() })
        .where(and(eq(accounts.id, target.id), isNull(accounts.silencedAt)));
    }
    if (action.type === "suspend") await suspend(tx, target);
    if (action.reportId) await resolveReport(tx, action.reportId, target, moderator?.id ?? null);
    // The account is told of every action but "none", as Mastodon warns.
    if (moderator && target.domain === null && action.type !== "none") {
      await notify(tx, {
        accountId: target.id,
        type: "moderation_warning",
        fromAccountId: moderator.id,
        reportId: action.reportId ?? null,
        warningAction: action.type,
      });
    }
  });
}

async function suspend(tx: Tx, target: Account): Promise<void> {
  const [changed] = await tx
    .update(accounts)
    .set({ suspendedAt: new Date() })
    .where(and(eq(accounts.id, target.id), isNull(accounts.suspendedAt)))
    .returning({ id: accounts.id });
  if (!changed) return;
  if (target.domain === null) {
    await lockOut(tx, target.id);
    // Followers' servers learn it from the actor (`suspended: true`, profile blanked).
    await enqueueJob(tx, { type: "account.updated", accountId: target.id });
  } else {
    await rejectRemoteFollows(tx, target);
  }
}

/** Lifts a suspension; a local account's followers' servers get the full actor back. */
export async function unsuspendAccount(db: Db, target: Account): Promise<void> {
  await db.transaction(async (tx) => {
    const [changed] = await tx
      .update(accounts)
      .set({ suspendedAt: null })
      .where(and(eq(accounts.id, target.id), isNotNull(accounts.suspendedAt)))
      .returning({ id: accounts.id });
    if (changed && target.domain === null) {
      await enqueueJob(tx, { type: "account.updated", accountId: target.id });
    }
  });
}

export async function unsilenceAccount(db: Db, target: Account): Promise<void> {
  await db.update(accounts).set({ silencedAt: null }).where(eq(accounts.id, target.id));
}

/** True when the actor with this id is an account our moderators suspended (inbox drops it). */
export async function actorSuspended(db: Tx, uri: string): Promise<boolean> {
  const [row] = await db
    .select({ id: accounts.id })
    .from(accounts)
    .where(and(eq(accounts.uri, uri), isNotNull(accounts.suspendedAt)));
  return row !== undefined;
}
