import { and, eq, inArray, isNull, or, sql } from "drizzle-orm";
import type { Tx } from "../../db/client.ts";
import { accounts, follows, notifications, quotes, statuses } from "../../db/schema/index.ts";
import { newId } from "../../lib/ids.ts";
import { threadNotMuted } from "../statuses/thread-mutes.ts";
import type { Status } from "../statuses/types.ts";
import { groupKey, type NotifyInput, notifyMentions } from "./notify.ts";

/**
 * Writes many notifications in one statement, each to a local account only (remote ones are
 * notified by their own server), never to the one who acted, and a repeat absorbed by the event key.
 */
async function notifyAll(tx: Tx, inputs: NotifyInput[]): Promise<void> {
  const rows = inputs
    .filter((n) => n.accountId !== n.fromAccountId)
    .map((n) => {
      const id = newId();
      return sql`(${id}::bigint, ${n.accountId}::bigint, ${n.type}::text, ${n.fromAccountId}::bigint, ${n.statusId ?? null}::bigint, ${groupKey(n, id)}::text)`;
    });
  if (rows.length === 0) return;
  await tx.execute(sql`
    insert into notifications (id, account_id, type, from_account_id, status_id, group_key)
    select v.id, v.account_id, v.type, v.from_account_id, v.status_id, v.group_key
    from (values ${sql.join(rows, sql`, `)}) as v(id, account_id, type, from_account_id, status_id, group_key)
    join accounts a on a.id = v.account_id and a.domain is null
    where ${threadNotMuted(sql`a.id`, sql`v.status_id`)}
    on conflict do nothing`);
}

const localAccount = (column: typeof statuses.accountId | typeof follows.followerId) =>
  and(eq(accounts.id, column), isNull(accounts.domain));

/**
 * A new post: each local follower who asked to be told (`notify: true`) gets a `status`
 * notification, in the post's transaction. Direct posts, boosts and replies to others do not
 * notify, as on Mastodon.
 */
export async function notifyFollowersOfPost(tx: Tx, status: Status): Promise<void> {
  if (status.visibility === "direct" || status.reblogOfId) return;
  if (status.inReplyToUri && status.inReplyToAccountId !== status.accountId) return;
  const followers = await tx
    .select({ id: follows.followerId })
    .from(follows)
    .innerJoin(accounts, localAccount(follows.followerId))
    .where(
      and(
        eq(follows.followingId, status.accountId),
        eq(follows.state, "accepted"),
        eq(follows.notify, true),
      ),
    );
  await notifyAll(
    tx,
    followers.map((f) => ({
      accountId: f.id,
      type: "status",
      fromAccountId: status.accountId,
      statusId: status.id,
    })),
  );
}

/**
 * An edit (local or inbound), in its transaction: local accounts that boosted the post get
 * `update`, local accounts whose post quotes it get `quoted_update` (about their quote), and
 * accounts the edit newly mentions get `mention`. An earlier `update` of the same post is
 * replaced, so each edit shows as new (the event key would otherwise keep only the first).
 */
export async function notifyEdit(
  tx: Tx,
  status: { id: string; accountId: string },
  newlyMentioned: string[],
): Promise<void> {
  const [boosters, quoters] = await Promise.all([
    tx
      .select({ accountId: statuses.accountId })
      .from(statuses)
      .innerJoin(accounts, localAccount(statuses.accountId))
      .where(eq(statuses.reblogOfId, status.id)),
    tx
      .select({ accountId: statuses.accountId, statusId: quotes.statusId })
      .from(quotes)
      .innerJoin(statuses, eq(statuses.id, quotes.statusId))
      .innerJoin(accounts, localAccount(statuses.accountId))
      .where(and(eq(quotes.quotedStatusId, status.id), eq(quotes.state, "accepted"))),
  ]);
  if (boosters.length || quoters.length) {
    await tx.delete(notifications).where(
      and(
        eq(notifications.fromAccountId, status.accountId),
        or(
          and(eq(notifications.type, "update"), eq(notifications.statusId, status.id)),
          quoters.length
            ? and(
                eq(notifications.type, "quoted_update"),
                inArray(
                  notifications.statusId,
                  quoters.map((q) => q.statusId),
                ),
              )
            : undefined,
        ),
      ),
    );
  }
  await notifyAll(tx, [
    ...boosters.map((b) => ({
      accountId: b.accountId,
      type: "update" as const,
      fromAccountId: status.accountId,
      statusId: status.id,
    })),
    ...quoters.map((q) => ({
      accountId: q.accountId,
      type: "quoted_update" as const,
      fromAccountId: status.accountId,
      statusId: q.statusId,
    })),
  ]);
  await notifyMentions(tx, status, newlyMentioned);
}
