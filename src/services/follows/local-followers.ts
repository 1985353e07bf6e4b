import { type Placeholder, type SQL, sql } from "drizzle-orm";
import { builtOnce, type Tx } from "../../db/client.ts";

/** Whether some local account follows `accountId` (accepted), as SQL for a larger statement. */
export const localFollowerExists = (accountId: SQL | Placeholder | string) =>
  sql`exists (select 1 from follows f join accounts a on a.id = f.follower_id
    where f.following_id = ${accountId} and f.state = 'accepted' and a.domain is null)`;

const localFollowerOf = builtOnce<{ followed: boolean }>(
  () => sql`select ${localFollowerExists(sql.placeholder("accountId"))} as followed`,
);

/** Whether some local account follows `accountId` (accepted): what they post or boost matters here. */
export async function hasLocalFollower(db: Tx, accountId: string): Promise<boolean> {
  const [row] = await localFollowerOf(db, { accountId });
  return row.followed;
}
