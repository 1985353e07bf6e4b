/**
 * Accounts as the public finds them. A sign-up still awaiting a moderator's approval
 * (`local_users.approved = false`) does not exist for anyone but staff (the admin API and pages
 * use their own reads): no WebFinger, no actor, no profile, no lookup, no search hit.
 */
import { and, eq, type SQL, sql } from "drizzle-orm";
import type { AnyPgColumn } from "drizzle-orm/pg-core";
import type { Tx } from "../../db/client.ts";
import { accounts } from "../../db/schema/index.ts";
import { notFound } from "../../lib/errors.ts";
import { type Account, findAccountByAcct, findLocalAccount } from "./accounts.ts";

/** The account with this id is not one waiting for approval (remote accounts never are). */
export const notPending = (id: AnyPgColumn | SQL): SQL =>
  sql`not exists (select 1 from local_users pu where pu.account_id = ${id} and not pu.approved)`;

async function isPending(db: Tx, account: Account): Promise<boolean> {
  if (account.domain !== null) return false;
  const [row] = await db
    .select({ id: accounts.id })
    .from(accounts)
    .where(and(eq(accounts.id, account.id), notPending(accounts.id)));
  return row === undefined;
}

/** `findLocalAccount` for public reads: a pending account is nobody. */
export async function findPublicLocalAccount(
  db: Tx,
  username: string,
): Promise<Account | undefined> {
  const account = await findLocalAccount(db, username);
  return account && !(await isPending(db, account)) ? account : undefined;
}

/** `findAccountByAcct` for public reads. */
export async function findPublicAccountByAcct(
  db: Tx,
  acct: string,
  localHost: string,
): Promise<Account | undefined> {
  const account = await findAccountByAcct(db, acct, localHost);
  return account && !(await isPending(db, account)) ? account : undefined;
}

/** An account by id for public reads; a pending one is a 404, as an unknown one. */
export async function getPublicAccount(db: Tx, id: string): Promise<Account> {
  const [row] = await db
    .select()
    .from(accounts)
    .where(and(eq(accounts.id, id), notPending(accounts.id)));
  if (!row) throw notFound();
  return row;
}
