/**
 * The second step of the authorize flow for a login on a team: which account the app gets.
 * One token per account, as Mastodon apps expect; a token for another account remembers the
 * login that granted it (`granted_by_account_id`), whose role then bounds what it may do.
 */
import { eq } from "drizzle-orm";
import type { Db } from "../../db/client.ts";
import { accounts, localUsers } from "../../db/schema/index.ts";
import { AppError } from "../../lib/errors.ts";
import type { Account } from "../accounts/accounts.ts";
import { roleOn } from "../teams/access.ts";

export interface AccountChoice {
  /** The account the code (and so the token) acts as. */
  accountId: string;
  /** The login, when it chose another account than its own; null for its own. */
  grantedByAccountId: string | null;
}

/**
 * Checks, at the moment of the choice, that `loginId` may still sign in (the ticket is minutes
 * old: a suspension or a disabled login in between ends it) and holds a role on `accountId`.
 * Returns the login's account too, for the page that is shown again on a refusal.
 */
export async function chooseAccount(
  db: Db,
  loginId: string,
  accountId: string,
): Promise<AccountChoice & { login: Account }> {
  const [row] = await db
    .select({ account: accounts, approved: localUsers.approved, disabledAt: localUsers.disabledAt })
    .from(accounts)
    .innerJoin(localUsers, eq(localUsers.accountId, accounts.id))
    .where(eq(accounts.id, loginId));
  if (!row || row.account.suspendedAt || !row.approved || row.disabledAt) {
    throw new AppError(403, "This login may not sign in any more.");
  }
  if (accountId === loginId) return { login: row.account, accountId, grantedByAccountId: null };
  const role = await roleOn(db, loginId, accountId);
  const [target] = role
    ? await db
        .select({ suspendedAt: accounts.suspendedAt })
        .from(accounts)
        .where(eq(accounts.id, accountId))
    : [];
  if (!target || target.suspendedAt) {
    throw new AppError(403, "You may not act for this account.");
  }
  return { login: row.account, accountId, grantedByAccountId: loginId };
}
