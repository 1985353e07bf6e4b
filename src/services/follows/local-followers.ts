import { and, eq, isNull, type SQL, sql } from "drizzle-orm";
import type { Tx } from "../../db/client.ts";
import { reused } from "../../db/reused.ts";
import { accounts, follows } from "../../db/schema/index.ts";

const localFollowerOf = reused("local_follower_of", (db) =>
  db
    .select({ id: follows.id })
    .from(follows)
    .innerJoin(accounts, eq(accounts.id, follows.followerId))
    .where(
      and(
        eq(follows.followingId, sql.placeholder("accountId")),
        eq(follows.state, "accepted"),
        isNull(accounts.domain),
      ),
    )
    .limit(1),
);

/** Whether some local account follows `accountId` (accepted): what they post or boost matters here. */
export async function hasLocalFollower(db: Tx, accountId: string): Promise<boolean> {
  const [row] = await localFollowerOf(db, { accountId });
  return Boolean(row);
}

/** The same question as SQL, to ask within a larger statement. */
export const localFollowerExists = (accountId: SQL | string) =>
  sql`exists (select 1 from follows f join accounts a on a.id = f.follower_id
    where f.following_id = ${accountId} and f.state = 'accepted' and a.domain is null)`;
