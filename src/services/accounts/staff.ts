import { eq } from "drizzle-orm";
import type { Tx } from "../../db/client.ts";
import { localUsers, type UserRole } from "../../db/schema/index.ts";

/** A local account's role (`tern account role`); undefined for a remote account. */
export async function roleOf(db: Tx, accountId: string): Promise<UserRole | undefined> {
  const [row] = await db
    .select({ role: localUsers.role })
    .from(localUsers)
    .where(eq(localUsers.accountId, accountId));
  return row?.role;
}
