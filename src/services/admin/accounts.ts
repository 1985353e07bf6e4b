/**
 * Accounts as moderators see them (`/api/v1/admin/accounts`, v2, the admin pages, the CLI):
 * listing with Mastodon's filters, approving and rejecting sign-ups, deleting suspended accounts.
 */
import { and, eq, ilike, inArray, isNotNull, isNull, or, type SQL, sql } from "drizzle-orm";
import type { SmtpConfig } from "../../config/index.ts";
import type { Db, Tx } from "../../db/client.ts";
import { accounts, follows, localUsers } from "../../db/schema/index.ts";
import { AppError, notFound } from "../../lib/errors.ts";
import { isId } from "../../lib/ids.ts";
import {
  type Account,
  deleteRemoteAccount,
  findAccountByAcct,
  type LocalUser,
} from "../accounts/accounts.ts";
import { countFollows } from "../accounts/counters.ts";
import { approvedMail, type MailSettings, moderationMail, queueMail } from "../mail/queue.ts";
import { deleteFilesOfAccount } from "../media/remote.ts";
import { keyset, type Page } from "../paging.ts";
import { type AdminActor, acctLabel, audit } from "./audit.ts";

export interface AdminAccountRow {
  account: Account;
  /** Null for remote accounts. */
  user: LocalUser | null;
}

/** Mastodon v2's filters; v1's booleans are mapped onto these by the router. */
export interface AdminAccountFilter {
  origin?: "local" | "remote";
  status?: "active" | "pending" | "disabled" | "sensitized" | "silenced" | "suspended";
  /** `staff`: moderators and admins. */
  permissions?: "staff";
  username?: string;
  displayName?: string;
  byDomain?: string;
  email?: string;
  ip?: string;
}

/** `%` and `_` typed by a moderator are letters, not wildcards. */
const likeEscape = (s: string) => s.replace(/[\\%_]/g, (m) => `\\${m}`);

function conditions(f: AdminAccountFilter): SQL[] {
  const where: (SQL | undefined)[] = [];
  if (f.origin === "local") where.push(isNull(accounts.domain));
  if (f.origin === "remote") where.push(isNotNull(accounts.domain));
  if (f.status === "active") where.push(isNull(accounts.suspendedAt));
  if (f.status === "pending") where.push(eq(localUsers.approved, false));
  if (f.status === "silenced") where.push(isNotNull(accounts.silencedAt));
  if (f.status === "disabled") where.push(isNotNull(localUsers.disabledAt));
  if (f.status === "sensitized") where.push(isNotNull(accounts.sensitizedAt));
  if (f.status === "suspended") where.push(isNotNull(accounts.suspendedAt));
  if (f.permissions === "staff") where.push(inArray(localUsers.role, ["moderator", "admin"]));
  if (f.username) where.push(ilike(accounts.username, `${likeEscape(f.username)}%`));
  if (f.displayName) where.push(ilike(accounts.displayName, `%${likeEscape(f.displayName)}%`));
  if (f.byDomain) where.push(sql`lower(${accounts.domain}) = lower(${f.byDomain})`);
  if (f.email) where.push(ilike(localUsers.email, `%${likeEscape(f.email)}%`));
  if (f.ip) where.push(eq(localUsers.signUpIp, f.ip));
  // Pending accounts waiting for approval are not "active" yet, as on Mastodon.
  if (f.status === "active")
    where.push(or(isNull(localUsers.approved), eq(localUsers.approved, true)));
  return where.filter((w): w is SQL => w !== undefined);
}

/** One page, newest account first (keyset on the id). */
export async function listAdminAccounts(
  db: Tx,
  filter: AdminAccountFilter,
  page: Page,
): Promise<AdminAccountRow[]> {
  const { where, order, newestFirst } = keyset(accounts.id, page);
  const rows = await db
    .select()
    .from(accounts)
    .leftJoin(localUsers, eq(localUsers.accountId, accounts.id))
    .where(and(...conditions(filter), ...where))
    .orderBy(order)
    .limit(page.limit);
  return newestFirst(rows).map((r) => ({ account: r.accounts, user: r.local_users }));
}

export async function getAdminAccount(db: Tx, id: string): Promise<AdminAccountRow> {
  if (!isId(id)) throw notFound();
  const [row] = await db
    .select()
    .from(accounts)
    .leftJoin(localUsers, eq(localUsers.accountId, accounts.id))
    .where(eq(accounts.id, id));
  if (!row) throw notFound();
  return { account: row.accounts, user: row.local_users };
}

/** `alice`, `@alice`, `alice@host` or `@alice@host` (the CLI's way to name an account). */
export async function findAdminAccountByAcct(
  db: Tx,
  acct: string,
  localHost: string,
): Promise<AdminAccountRow> {
  const account = await findAccountByAcct(db, acct, localHost);
  if (!account) throw new AppError(404, `No account ${acct}`);
  return getAdminAccount(db, account.id);
}

function pendingUser(row: AdminAccountRow): LocalUser {
  if (!row.user) throw new AppError(403, "Only local accounts wait for approval");
  if (row.user.approved) throw new AppError(403, "This account is not pending approval");
  return row.user;
}

type ActorId = AdminActor;

const logAccount = (tx: Tx, actorId: ActorId, row: AdminAccountRow, action: string) =>
  audit(tx, {
    actorId,
    action,
    targetType: "account",
    targetId: row.account.id,
    targetLabel: acctLabel(row.account),
  });

/**
 * A pending sign-up may log in from now on. With SMTP (`config.smtp`), an account with an
 * address is told so by mail, queued in the same transaction.
 */
export async function approveAccount(
  db: Db,
  row: AdminAccountRow,
  actorId: ActorId,
  config?: MailSettings & { smtp: SmtpConfig | null },
): Promise<AdminAccountRow> {
  const user = pendingUser(row);
  await db.transaction(async (tx) => {
    await tx
      .update(localUsers)
      .set({ approved: true })
      .where(eq(localUsers.accountId, row.account.id));
    if (config?.smtp && user.email)
      await queueMail(tx, approvedMail(config, user.email, row.account.username));
    await logAccount(tx, actorId, row, "approve");
  });
  return getAdminAccount(db, row.account.id);
}

/** `send_email_notification` of an admin action: the account is told by mail (with SMTP). */
export async function mailModerationAction(
  db: Db,
  config: MailSettings,
  row: AdminAccountRow,
  action: string,
): Promise<void> {
  const email = row.user?.email;
  if (!email) return;
  await db.transaction((tx) =>
    queueMail(tx, moderationMail(config, email, row.account.username, action)),
  );
}

/** A pending sign-up is refused: the account goes, as on Mastodon (nothing was federated yet). */
export async function rejectAccount(db: Db, row: AdminAccountRow, actorId: ActorId): Promise<void> {
  pendingUser(row);
  await db.transaction(async (tx) => {
    await logAccount(tx, actorId, row, "reject");
    await deleteFilesOfAccount(tx, row.account.id);
    await tx.delete(accounts).where(and(eq(accounts.id, row.account.id), isNull(accounts.domain)));
  });
}

/**
 * `DELETE /api/v1/admin/accounts/:id`: Mastodon only deletes the data of an account already
 * suspended. A remote one goes with its posts and follows (as when its server deletes it); a
 * local one the same way (its followers' servers were told of the suspension already).
 */
export async function deleteSuspendedAccount(
  db: Db,
  row: AdminAccountRow,
  actorId: ActorId,
): Promise<void> {
  if (!row.account.suspendedAt) throw new AppError(403, "Only suspended accounts can be deleted");
  if (row.account.domain !== null) {
    // The log row first: its target is named by label, the account row is about to go.
    await db.transaction((tx) => logAccount(tx, actorId, row, "delete"));
    return deleteRemoteAccount(db, row.account.id);
  }
  // A local account has no remote copy to keep in step: its rows go by cascade, the other
  // side's follow counters are recounted by removing its follows first.
  await db.transaction(async (tx) => {
    await logAccount(tx, actorId, row, "delete");
    const gone = await tx
      .delete(follows)
      .where(or(eq(follows.followerId, row.account.id), eq(follows.followingId, row.account.id)))
      .returning();
    await countFollows(
      tx,
      gone.filter((f) => f.state === "accepted"),
      -1,
    );
    await deleteFilesOfAccount(tx, row.account.id);
    await tx.delete(accounts).where(eq(accounts.id, row.account.id));
  });
}

/** Several accounts by id in one query (reports name four each). */
export async function getAdminAccounts(db: Tx, ids: string[]): Promise<AdminAccountRow[]> {
  const wanted = [...new Set(ids)];
  if (wanted.length === 0) return [];
  const rows = await db
    .select()
    .from(accounts)
    .leftJoin(localUsers, eq(localUsers.accountId, accounts.id))
    .where(inArray(accounts.id, wanted));
  return rows.map((r) => ({ account: r.accounts, user: r.local_users }));
}
