import { and, eq, isNull } from "drizzle-orm";
import type { Tx } from "../../db/client.ts";
import { accounts, follows } from "../../db/schema/index.ts";

/** Whether some local account follows `accountId` (accepted): what they post or boost matters here. */
export async function hasLocalFollower(db: Tx, accountId: string): Promise<boolean> {
  const [row] = await db
    .select({ id: follows.id })
    .from(follows)
    .innerJoin(accounts, eq(accounts.id, follows.followerId))
    .where(
      and(
        eq(follows.followingId, accountId),
        eq(follows.state, "accepted"),
        isNull(accounts.domain),
      ),
    )
    .limit(1);
  return Boolean(row);
}
