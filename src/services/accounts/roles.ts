import { eq } from "drizzle-orm";
import type { Db, Tx } from "../../db/client.ts";
import { localUsers, type UserRole } from "../../db/schema/index.ts";
import { AppError } from "../../lib/errors.ts";
import { findLocalAccount } from "./accounts.ts";

/** Gives a local account a role; moderators and admins are notified of reports. */
export async function setRole(db: Db, username: string, role: UserRole): Promise<void> {
  const account = await findLocalAccount(db, username);
  if (!account) throw new AppError(404, `No local account named @${username}`);
  await db.update(localUsers).set({ role }).where(eq(localUsers.accountId, account.id));
}

/** The role of a local account; undefined for a remote or unknown one. */
export async function roleOf(db: Tx, accountId: string): Promise<UserRole | undefined> {
  const [row] = await db
    .select({ role: localUsers.role })
    .from(localUsers)
    .where(eq(localUsers.accountId, accountId));
  return row?.role;
}
