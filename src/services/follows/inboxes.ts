import { and, eq, inArray, sql } from "drizzle-orm";
import type { Db } from "../../db/client.ts";
import { accounts, follows } from "../../db/schema/index.ts";
import type { Account } from "../accounts/accounts.ts";

/** The inbox a delivery to `account` goes to when shared inboxes are preferred (as Fedify picks). */
export const deliveryInbox = (account: Account): string | null =>
  account.sharedInboxUrl ?? account.inboxUrl;

/**
 * Which of `inboxes` the accepted followers of `accountId` are delivered to: one query, whatever
 * the number of followers, so a post that also mentions a follower is sent to that inbox once.
 */
export async function followerInboxesAmong(
  db: Db,
  accountId: string,
  inboxes: string[],
): Promise<Set<string>> {
  if (!inboxes.length) return new Set();
  const inbox = sql<string>`coalesce(${accounts.sharedInboxUrl}, ${accounts.inboxUrl})`;
  const rows = await db
    .selectDistinct({ inbox })
    .from(follows)
    .innerJoin(accounts, eq(accounts.id, follows.followerId))
    .where(
      and(
        eq(follows.followingId, accountId),
        eq(follows.state, "accepted"),
        inArray(inbox, inboxes),
      ),
    );
  return new Set(rows.map((r) => r.inbox));
}
