/**
 * Who may act as which account. A login (a local account with a password: the person) may act
 * as itself (`self`) and as every account it holds a team role on (`account_members`). Every
 * path that acts for another account (tokens granted by a member, studio pages) asks here.
 */
import { and, eq } from "drizzle-orm";
import type { Db, Tx } from "../../db/client.ts";
import { accountMembers, accounts, type TeamRole } from "../../db/schema/index.ts";
import type { Account } from "../accounts/accounts.ts";

export type AccessRole = "self" | TeamRole;

export interface ActableAccount {
  account: Account;
  role: AccessRole;
}

/** The login's own account first, then the accounts it is a member of (suspended ones left out). */
export async function accountsForLogin(db: Db | Tx, login: Account): Promise<ActableAccount[]> {
  const rows = await db
    .select({ account: accounts, role: accountMembers.role })
    .from(accountMembers)
    .innerJoin(accounts, eq(accounts.id, accountMembers.accountId))
    .where(eq(accountMembers.memberAccountId, login.id))
    .orderBy(accounts.username);
  return [
    { account: login, role: "self" },
    ...rows
      .filter((r) => !r.account.suspendedAt)
      .map((r) => ({ account: r.account, role: r.role })),
  ];
}

/** The role `loginId` holds on `accountId`: `self` for its own account, undefined for none. */
export async function roleOn(
  db: Db | Tx,
  loginId: string,
  accountId: string,
): Promise<AccessRole | undefined> {
  if (loginId === accountId) return "self";
  const [row] = await db
    .select({ role: accountMembers.role })
    .from(accountMembers)
    .where(
      and(eq(accountMembers.accountId, accountId), eq(accountMembers.memberAccountId, loginId)),
    )
    .limit(1);
  return row?.role;
}

/** Posting, scheduling and drafts: the account itself, its owners and editors. */
export function mayPost(role: AccessRole | undefined): boolean {
  return role === "self" || role === "owner" || role === "editor";
}

/** Analytics: everyone on the team. */
export function mayReadAnalytics(role: AccessRole | undefined): boolean {
  return role !== undefined;
}

/** Members, transfer, profile and deletion: the account itself and its owners. */
export function mayManage(role: AccessRole | undefined): boolean {
  return role === "self" || role === "owner";
}
