/**
 * What moderators do to an account (`/api/v1/admin/accounts/:id/action`, the admin pages, the
 * CLI): silence, suspend and their undoing, with every effect in the same transaction, so a
 * suspended account is locked out the moment the answer arrives.
 */
import { and, eq, isNotNull, isNull, or } from "drizzle-orm";
import type { Db, Tx } from "../../db/client.ts";
import {
  accessTokens,
  accounts,
  authorizationCodes,
  follows,
  localUsers,
  reports,
  type UserRole,
} from "../../db/schema/index.ts";
import { AppError } from "../../lib/errors.ts";
import type { Account } from "../accounts/accounts.ts";
import { countFollows } from "../accounts/counters.ts";
import { publishEvent } from "../events/publish.ts";
import { enqueueJob } from "../jobs.ts";
import { deleteAccountWebSessions } from "../sessions/web-sessions.ts";
import { acctLabel, audit } from "./audit.ts";
import { checkWarningStatuses, warnAccount } from "./warnings.ts";

/** Mastodon's action types. */
export const ACTION_TYPES = ["none", "sensitive", "disable", "silence", "suspend"] as const;
export type ActionType = (typeof ACTION_TYPES)[number];

export interface ModerationAction {
  type: ActionType;
  /** A report about this account that the action settles (resolved by the moderator). */
  reportId?: string;
  /** The moderator's words to the account, stored with the warning. */
  text?: string;
  /** Posts of the account the warning points at. */
  statusIds?: string[];
}

/**
 * Every token of the account revoked and its browser sessions ended, so its next API call is a
 * 401 and its open streams close (the `token_revoked` event reaches every process).
 */
async function lockOut(tx: Tx, accountId: string): Promise<void> {
  // Tokens it holds, and those it granted as a team member for other accounts.
  const revoked = await tx
    .update(accessTokens)
    .set({ revokedAt: new Date() })
    .where(
      and(
        or(eq(accessTokens.accountId, accountId), eq(accessTokens.grantedByAccountId, accountId)),
        isNull(accessTokens.revokedAt),
      ),
    )
    .returning({ id: accessTokens.id });
  for (const { id } of revoked) await publishEvent(tx, { t: "token_revoked", id });
  // A code handed out a moment ago must not mint a fresh token afterwards.
  await tx
    .delete(authorizationCodes)
    .where(
      or(
        eq(authorizationCodes.accountId, accountId),
        eq(authorizationCodes.grantedByAccountId, accountId),
      ),
    );
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
 * null for the CLI, which resolves no report and notifies nobody). Every action is stored as a
 * warning and written to the audit log in the same transaction.
 */
export async function moderateAccount(
  db: Db,
  moderator: Account | null,
  target: Account,
  action: ModerationAction,
): Promise<void> {
  if (target.id === moderator?.id) throw new AppError(403, "You cannot moderate yourself");
  if (action.type === "disable" && target.domain !== null)
    throw new AppError(422, "type: only local accounts can be disabled");
  await db.transaction(async (tx) => {
    const statusIds = await checkWarningStatuses(tx, target, action.statusIds);
    if (action.type === "silence") {
      await tx
        .update(accounts)
        .set({ silencedAt: new Date() })
        .where(and(eq(accounts.id, target.id), isNull(accounts.silencedAt)));
    }
    if (action.type === "sensitive") {
      await tx
        .update(accounts)
        .set({ sensitizedAt: new Date() })
        .where(and(eq(accounts.id, target.id), isNull(accounts.sensitizedAt)));
    }
    if (action.type === "disable") {
      await tx
        .update(localUsers)
        .set({ disabledAt: new Date() })
        .where(and(eq(localUsers.accountId, target.id), isNull(localUsers.disabledAt)));
      await lockOut(tx, target.id);
    }
    if (action.type === "suspend") await suspend(tx, target);
    if (action.reportId) await resolveReport(tx, action.reportId, target, moderator?.id ?? null);
    const warning = await warnAccount(tx, moderator, target, {
      action: action.type,
      text: action.text,
      reportId: action.reportId ?? null,
      statusIds,
    });
    await audit(tx, {
      actorId: moderator?.id ?? null,
      action: action.type === "none" ? "warn" : action.type,
      targetType: "account",
      targetId: target.id,
      targetLabel: acctLabel(target),
      detail: {
        warning_id: warning.id,
        ...(action.text ? { text: action.text } : {}),
        ...(action.reportId ? { report_id: action.reportId } : {}),
        ...(statusIds.length ? { status_ids: statusIds } : {}),
      },
    });
  });
}

/** The actor of an undoing action: a staff account, or null for the CLI. */
type Actor = Account | null;

const logUndo = (tx: Tx, actor: Actor, target: Account, action: string) =>
  audit(tx, {
    actorId: actor?.id ?? null,
    action,
    targetType: "account",
    targetId: target.id,
    targetLabel: acctLabel(target),
  });

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
export async function unsuspendAccount(db: Db, target: Account, actor: Actor): Promise<void> {
  await db.transaction(async (tx) => {
    await logUndo(tx, actor, target, "unsuspend");
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

export async function unsilenceAccount(db: Db, target: Account, actor: Actor): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.update(accounts).set({ silencedAt: null }).where(eq(accounts.id, target.id));
    await logUndo(tx, actor, target, "unsilence");
  });
}

/** Lifts a `sensitive` action: the account's media shows as its author marked it again. */
export async function unsensitizeAccount(db: Db, target: Account, actor: Actor): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.update(accounts).set({ sensitizedAt: null }).where(eq(accounts.id, target.id));
    await logUndo(tx, actor, target, "unsensitive");
  });
}

/** Lifts a `disable` action: the account may log in again (its old tokens stay revoked). */
export async function enableAccount(db: Db, target: Account, actor: Actor): Promise<void> {
  await db.transaction(async (tx) => {
    await tx
      .update(localUsers)
      .set({ disabledAt: null })
      .where(eq(localUsers.accountId, target.id));
    await logUndo(tx, actor, target, "enable");
  });
}
