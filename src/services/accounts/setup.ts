/**
 * First run: on a server without any local account, the setup page makes the first admin in the
 * browser. Once any local account exists there is nothing to set up (and the page is gone).
 */
import { and, isNull, ne, sql } from "drizzle-orm";
import type { Db } from "../../db/client.ts";
import { accounts } from "../../db/schema/index.ts";
import { notFound } from "../../lib/errors.ts";
import { type Account, createLocalAccount } from "./accounts.ts";

/** Any number will do, as long as nothing else locks on it. */
const SETUP_LOCK = 7_346_820_011;
/** Once set up, always set up: no query per page view after the first account. */
const done = new WeakSet<Db>();

export async function needsSetup(db: Db): Promise<boolean> {
  if (done.has(db)) return false;
  const [row] = await db
    .select({ id: accounts.id })
    .from(accounts)
    .where(isNull(accounts.domain))
    .limit(1);
  if (row) done.add(db);
  return !row;
}

/**
 * Makes the first local account, an admin. Two browsers sending the form at once cannot both
 * succeed: each transaction takes the same lock after writing its account, then looks for any
 * other local account; the second one sees the first (committed by then) and undoes itself.
 * A 404 once the server has an account, as the page itself.
 */
export async function createFirstAdmin(
  db: Db,
  publicUrl: string,
  input: { username: string; password: string; displayName?: string },
): Promise<Account> {
  if (!(await needsSetup(db))) throw notFound();
  const account = await createLocalAccount(db, publicUrl, {
    ...input,
    user: { role: "admin" },
    async inTransaction(tx, created) {
      await tx.execute(sql`select pg_advisory_xact_lock(${SETUP_LOCK})`);
      const [other] = await tx
        .select({ id: accounts.id })
        .from(accounts)
        .where(and(isNull(accounts.domain), ne(accounts.id, created.id)))
        .limit(1);
      if (other) throw notFound();
    },
  });
  done.add(db);
  return account;
}
