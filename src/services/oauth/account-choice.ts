/**
 * The second step of the authorize flow for a login on a team: which account the app gets.
 * One token per account, as Mastodon apps expect; a token for another account remembers the
 * login that granted it (`granted_by_account_id`), whose role then bounds what it may do.
 */
import { eq } from "drizzle-orm";
import type { Db } from "../../db/client.ts";
import { accounts } from "../../db/schema/index.ts";
import { AppError } from "../../lib/errors.ts";
import type { Account } from "../accounts/accounts.ts";
import { signInRefusal } from "../accounts/login.ts";
import { roleOn } from "../teams/access.ts";

export interface AccountChoice {
  /** The account the code (and so the token) acts as. */
  accountId: string;
  /** The login, when it chose another account than its own; null for its own. */
  grantedByAccountId: string | null;
}

/**
 * Checks, at the moment of the choice, that `loginId` may still sign in (the ticket is minutes
 * old: a suspension, a disabled login or a changed, unconfirmed address in between ends it) and
 * holds a role on `accountId`.
 * Returns the login's account too, for the page that is shown again on a refusal.
 */
export async function chooseAccount(
  db: Db,
  loginId: string,
  accountId: string,
): Promise<AccountChoice & { login: Account }> {
  const [login] = await db.select().from(accounts).where(eq(accounts.id, loginId));
  if (!login || (await signInRefusal(db, login))) {
    throw new AppError(403, "This login may not sign in any more.");
  }
  if (accountId === loginId) return { login, accountId, grantedByAccountId: null };
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
  return { login: login, accountId, grantedByAccountId: loginId };
}
