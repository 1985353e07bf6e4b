/**
 * Browser sessions for Tern's own pages (setup, sign-up, settings, admin, studio). The cookie
 * carries a random token; only its SHA-256 is stored, with the session's CSRF token, so a stolen
 * database copy cannot be replayed as a cookie.
 */
import { and, eq, gt, lt } from "drizzle-orm";
import type { Db, Tx } from "../../db/client.ts";
import { accounts, localUsers, type UserRole, webSessions } from "../../db/schema/index.ts";
import { AppError, notFound } from "../../lib/errors.ts";
import { newId } from "../../lib/ids.ts";
import type { Account } from "../accounts/accounts.ts";
import { randomSecret, sha256Hex } from "../oauth/crypto.ts";
import { type ActableAccount, roleOn } from "../teams/access.ts";

export const SESSION_DAYS = 30;
/** lastUsedAt is written at most this often, not on every page view. */
const TOUCH_MS = 5 * 60_000;

export interface WebSession {
  id: string;
  csrfToken: string;
  /** The login: the account that signed in (its password, its server role). */
  account: Account;
  role: UserRole;
  /**
   * The account the studio pages act as: the login's own, or one it holds a team role on
   * (`web_sessions.acting_account_id`, re-checked on every request so a removed member loses
   * it at once).
   */
  acting: ActableAccount;
}

export async function createWebSession(
  db: Tx,
  accountId: string,
  client: { userAgent?: string; ip?: string },
): Promise<{ token: string; csrfToken: string }> {
  const token = randomSecret(32);
  const csrfToken = randomSecret(32);
  await db.insert(webSessions).values({
    id: newId(),
    tokenHash: sha256Hex(token),
    accountId,
    csrfToken,
    userAgent: client.userAgent?.slice(0, 300) ?? null,
    ip: client.ip ?? null,
    expiresAt: new Date(Date.now() + SESSION_DAYS * 86_400_000),
  });
  return { token, csrfToken };
}

/**
 * The live session of a cookie token: not expired, its account local, not suspended, not
 * disabled and approved. Anything else is no session at all.
 */
export async function findWebSession(db: Db, token: string): Promise<WebSession | undefined> {
  if (!/^[A-Za-z0-9_-]{20,100}$/.test(token)) return undefined;
  const [row] = await db
    .select({ session: webSessions, account: accounts, user: localUsers })
    .from(webSessions)
    .innerJoin(accounts, eq(accounts.id, webSessions.accountId))
    .innerJoin(localUsers, eq(localUsers.accountId, accounts.id))
    .where(and(eq(webSessions.tokenHash, sha256Hex(token)), gt(webSessions.expiresAt, new Date())))
    .limit(1);
  if (!row || row.account.suspendedAt || !row.user.approved || row.user.disabledAt)
    return undefined;
  if (Date.now() - row.session.lastUsedAt.getTime() > TOUCH_MS) {
    await db
      .update(webSessions)
      .set({ lastUsedAt: new Date() })
      .where(eq(webSessions.id, row.session.id));
  }
  let acting: ActableAccount = { account: row.account, role: "self" };
  const actingId = row.session.actingAccountId;
  if (actingId && actingId !== row.account.id) {
    const role = await roleOn(db, row.account.id, actingId);
    const [other] = role
      ? await db.select().from(accounts).where(eq(accounts.id, actingId)).limit(1)
      : [];
    if (role && other && !other.suspendedAt) acting = { account: other, role };
  }
  return {
    id: row.session.id,
    csrfToken: row.session.csrfToken,
    account: row.account,
    role: row.user.role,
    acting,
  };
}

/**
 * Points the session's studio at `accountId`; the login's own account clears it. An account the
 * login holds no role on is refused (403); an unknown, remote or suspended one is a 404. The
 * role is checked again on every request (findWebSession), so this is no lasting grant.
 */
export async function switchActing(
  db: Db,
  session: WebSession,
  accountId: string,
): Promise<ActableAccount> {
  const setActing = (id: string | null) =>
    db.update(webSessions).set({ actingAccountId: id }).where(eq(webSessions.id, session.id));
  if (accountId === session.account.id) {
    await setActing(null);
    return { account: session.account, role: "self" };
  }
  const [account] = await db.select().from(accounts).where(eq(accounts.id, accountId)).limit(1);
  if (!account || account.domain !== null || account.suspendedAt)
    throw notFound("There is no such account here");
  const role = await roleOn(db, session.account.id, accountId);
  if (!role) throw new AppError(403, "You hold no role on this account");
  await setActing(accountId);
  return { account, role };
}

export async function deleteWebSession(db: Tx, id: string): Promise<void> {
  await db.delete(webSessions).where(eq(webSessions.id, id));
}

/** Signs an account out everywhere (password change, suspension), except `keepId` if given. */
export async function deleteAccountWebSessions(
  db: Tx,
  accountId: string,
  keepId?: string,
): Promise<void> {
  const rows = await db
    .select({ id: webSessions.id })
    .from(webSessions)
    .where(eq(webSessions.accountId, accountId));
  for (const { id } of rows) if (id !== keepId) await deleteWebSession(db, id);
}

/** Expired sessions, removed by the periodic clean-up. */
export async function deleteExpiredWebSessions(db: Tx): Promise<void> {
  await db.delete(webSessions).where(lt(webSessions.expiresAt, new Date()));
}
