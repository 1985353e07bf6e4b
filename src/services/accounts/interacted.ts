import { and, desc, eq, inArray, isNotNull } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import type { Db } from "../../db/client.ts";
import { accounts, favourites, follows, mentions, statuses } from "../../db/schema/index.ts";
import { deliveryInbox, followerInboxesAmong } from "../follows/inboxes.ts";
import type { Account } from "./accounts.ts";

/** How many of the latest interactions of each kind are looked at. */
const RECENT = 200;

/**
 * Remote accounts a local account has recently dealt with that its followers delivery does not
 * reach: those it follows or asked to follow, mentioned, favourited or boosted. Their servers
 * show its profile too, so a profile change goes to them as well (as Mastodon sends it further
 * than the followers). One account per inbox; four small indexed queries, whatever the history.
 */
export async function interactedAccountsBeyondFollowers(
  db: Db,
  accountId: string,
): Promise<Account[]> {
  const author = alias(statuses, "author_status");
  const [followed, mentioned, favourited, boosted] = await Promise.all([
    db
      .select({ id: follows.followingId })
      .from(follows)
      .where(eq(follows.followerId, accountId))
      .orderBy(desc(follows.id))
      .limit(RECENT),
    db
      .select({ id: mentions.accountId })
      .from(mentions)
      .innerJoin(statuses, eq(statuses.id, mentions.statusId))
      .where(eq(statuses.accountId, accountId))
      .orderBy(desc(statuses.id))
      .limit(RECENT),
    db
      .select({ id: statuses.accountId })
      .from(favourites)
      .innerJoin(statuses, eq(statuses.id, favourites.statusId))
      .where(eq(favourites.accountId, accountId))
      .orderBy(desc(favourites.id))
      .limit(RECENT),
    db
      .select({ id: author.accountId })
      .from(statuses)
      .innerJoin(author, eq(author.id, statuses.reblogOfId))
      .where(and(eq(statuses.accountId, accountId), isNotNull(statuses.reblogOfId)))
      .orderBy(desc(statuses.id))
      .limit(RECENT),
  ]);
  const ids = [...new Set([...followed, ...mentioned, ...favourited, ...boosted].map((r) => r.id))];
  if (ids.length === 0) return [];
  const remote = (await db.select().from(accounts).where(inArray(accounts.id, ids))).filter(
    (a) => a.domain !== null && deliveryInbox(a) !== null,
  );
  const reached = await followerInboxesAmong(
    db,
    accountId,
    remote.map((a) => deliveryInbox(a)!),
  );
  const byInbox = new Map<string, Account>();
  for (const a of remote) {
    const inbox = deliveryInbox(a)!;
    if (!reached.has(inbox) && !byInbox.has(inbox)) byInbox.set(inbox, a);
  }
  return [...byInbox.values()];
}
