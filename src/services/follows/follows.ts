import { and, eq, sql } from "drizzle-orm";
import type { Db, Tx } from "../../db/client.ts";
import { accounts, follows } from "../../db/schema/index.ts";
import { AppError, notFound } from "../../lib/errors.ts";
import { newId } from "../../lib/ids.ts";
import type { Account } from "../accounts/accounts.ts";
import { countFollows } from "../accounts/counters.ts";
import { enqueueJob } from "../jobs.ts";
import { notify } from "../notifications/notify.ts";
import { keyset, type Page } from "../paging.ts";
import { blockedBetween } from "../safety/blocks.ts";
import { mergeIntoHomeFeed, removeFromHomeFeed } from "../timelines/fanout.ts";

export type Follow = typeof follows.$inferSelect;

const isLocal = (a: Account) => a.domain === null;
const accepted = (rows: Follow[]) => rows.filter((f) => f.state === "accepted");

async function findFollow(
  db: Tx,
  followerId: string,
  followingId: string,
): Promise<Follow | undefined> {
  const [row] = await db
    .select()
    .from(follows)
    .where(and(eq(follows.followerId, followerId), eq(follows.followingId, followingId)));
  return row;
}

/**
 * A local account follows another. Remote and locked targets make a pending follow (the remote
 * Follow is queued); an unlocked local target is followed at once.
 */
export async function followAccount(
  db: Db,
  follower: Account,
  target: Account,
  options: FollowOptions = {},
): Promise<Follow> {
  if (!isLocal(follower)) throw new AppError(422, "Only local accounts can follow from here");
  if (follower.id === target.id) throw new AppError(422, "You cannot follow yourself");
  // As Mastodon: a block either way (or of the target's domain) makes following not allowed.
  if (await blockedBetween(db, follower.id, target.id))
    throw new AppError(403, "This action is not allowed");
  const existing = await findFollow(db, follower.id, target.id);
  // Following again changes only the options given, as on Mastodon (nothing is sent).
  if (existing) return (await setFollowOptions(db, existing, options)) ?? existing;
  const id = newId();
  const state = isLocal(target) && !target.locked ? "accepted" : "pending";
  return db.transaction(async (tx) => {
    const [row] = await tx
      .insert(follows)
      .values({
        id,
        followerId: follower.id,
        followingId: target.id,
        uri: `${follower.uri}#follows/${id}`,
        state,
        ...optionColumns(options),
      })
      .onConflictDoNothing()
      .returning();
    if (!row) return (await findFollow(tx, follower.id, target.id))!;
    if (!isLocal(target)) await enqueueJob(tx, { type: "follow.requested", followId: id });
    if (row.state === "accepted") {
      await countFollows(tx, [row], 1);
      await mergeIntoHomeFeed(tx, follower.id, target.id);
    }
    await notifyFollow(tx, row);
    return row;
  });
}

/** What a follower chooses for a follow (`reblogs`, `notify`, `languages[]`); unset: unchanged. */
export interface FollowOptions {
  showReblogs?: boolean;
  notify?: boolean;
  /** Empty: every language. */
  languages?: string[] | null;
}

const optionColumns = (o: FollowOptions) => ({
  ...(o.showReblogs !== undefined ? { showReblogs: o.showReblogs } : {}),
  ...(o.notify !== undefined ? { notify: o.notify } : {}),
  ...(o.languages !== undefined ? { languages: o.languages?.length ? o.languages : null } : {}),
});

async function setFollowOptions(db: Db, row: Follow, options: FollowOptions) {
  const set = optionColumns(options);
  if (Object.keys(set).length === 0) return row;
  const [updated] = await db.update(follows).set(set).where(eq(follows.id, row.id)).returning();
  return updated;
}

/** Stops following (or withdraws a request); a remote target is told with Undo(Follow). */
export async function unfollowAccount(db: Db, follower: Account, target: Account): Promise<void> {
  await db.transaction(async (tx) => {
    const [gone] = await tx
      .delete(follows)
      .where(and(eq(follows.followerId, follower.id), eq(follows.followingId, target.id)))
      .returning();
    if (gone) await countFollows(tx, accepted([gone]), -1);
    if (gone && !isLocal(target)) {
      await enqueueJob(tx, {
        type: "follow.undone",
        followerId: follower.id,
        followingId: target.id,
        followUri: gone.uri,
      });
    }
  });
  await removeFromHomeFeed(db, follower.id, target.id);
}

/** A remote Follow of a local account arrived. Locked accounts get a pending request. */
export async function receiveFollow(
  db: Db,
  follower: Account,
  target: Account,
  followUri: string,
): Promise<Follow> {
  const state = target.locked ? "pending" : "accepted";
  return db.transaction(async (tx) => {
    const [inserted] = await tx
      .insert(follows)
      .values({
        id: newId(),
        followerId: follower.id,
        followingId: target.id,
        uri: followUri,
        state,
      })
      .onConflictDoNothing()
      .returning();
    if (inserted) {
      await countFollows(tx, accepted([inserted]), 1);
      await notifyFollow(tx, inserted);
      return inserted;
    }
    // A repeated Follow (the remote lost our Accept, or followed again): keep its newest id.
    // Locked, so two copies arriving at once cannot both see it pending and count it twice.
    const [existing] = await tx
      .select()
      .from(follows)
      .where(and(eq(follows.followerId, follower.id), eq(follows.followingId, target.id)))
      .for("update");
    // Gone again in between (an Undo racing it): the sender will retry the Follow.
    if (!existing) throw new AppError(409, "The follow changed meanwhile");
    const [row] = await tx
      .update(follows)
      .set({ uri: followUri, state: existing.state === "accepted" ? "accepted" : state })
      .where(eq(follows.id, existing.id))
      .returning();
    if (existing.state !== "accepted") await countFollows(tx, accepted([row]), 1);
    return row;
  });
}

/** The followed local account learns of a new follower, or of a request to answer. */
const notifyFollow = (tx: Tx, row: Follow) =>
  notify(tx, {
    accountId: row.followingId,
    type: row.state === "accepted" ? "follow" : "follow_request",
    fromAccountId: row.followerId,
  });

/** Undo(Follow) from `followerId`: by the Follow's id, or (snac) by the followed actor. */
export async function receiveUndoFollow(
  db: Db,
  followerId: string,
  by: { followUri?: string; followingId?: string },
) {
  const match = by.followUri
    ? and(eq(follows.followerId, followerId), eq(follows.uri, by.followUri))
    : and(eq(follows.followerId, followerId), eq(follows.followingId, by.followingId ?? ""));
  return db.transaction(async (tx) => {
    const rows = await tx.delete(follows).where(match).returning();
    await countFollows(tx, accepted(rows), -1);
    return rows.length > 0;
  });
}

/** The remote side accepted our Follow (found by its id, else by the pair). */
/** Follows by local accounts of `remoteId`: the one with id `followUri`, or all when null. */
const ourFollowsOf = (remoteId: string, followUri: string | null) =>
  and(
    eq(follows.followingId, remoteId),
    followUri ? eq(follows.uri, followUri) : undefined,
    sql`exists (select 1 from accounts a where a.id = ${follows.followerId} and a.domain is null)`,
  );

export async function markFollowAccepted(
  db: Db,
  remoteId: string,
  followUri: string | null,
): Promise<boolean> {
  return db.transaction(async (tx) => {
    // Only pending ones turn accepted: a re-sent Accept changes (and counts) nothing.
    const rows = await tx
      .update(follows)
      .set({ state: "accepted" })
      .where(and(ourFollowsOf(remoteId, followUri), eq(follows.state, "pending")))
      .returning();
    await countFollows(tx, rows, 1);
    for (const row of rows) await mergeIntoHomeFeed(tx, row.followerId, remoteId);
    return rows.length > 0;
  });
}

/** The remote side rejected (or, after a block, revoked) our Follow. */
export async function markFollowRejected(
  db: Db,
  remoteId: string,
  followUri: string | null,
): Promise<boolean> {
  const rows = await db.transaction(async (tx) => {
    const gone = await tx.delete(follows).where(ourFollowsOf(remoteId, followUri)).returning();
    await countFollows(tx, accepted(gone), -1);
    return gone;
  });
  for (const row of rows) await removeFromHomeFeed(db, row.followerId, remoteId);
  return rows.length > 0;
}

/** A locked local account approves a follow request. */
export async function authorizeFollowRequest(
  db: Db,
  target: Account,
  followerId: string,
): Promise<void> {
  await db.transaction(async (tx) => {
    const [row] = await tx
      .update(follows)
      .set({ state: "accepted" })
      .where(
        and(
          eq(follows.followerId, followerId),
          eq(follows.followingId, target.id),
          eq(follows.state, "pending"),
        ),
      )
      .returning();
    if (!row) throw notFound("Follow request not found");
    await countFollows(tx, [row], 1);
    const [follower] = await tx.select().from(accounts).where(eq(accounts.id, followerId));
    if (follower && !isLocal(follower))
      await enqueueJob(tx, { type: "follow.accepted", followId: row.id });
    else await mergeIntoHomeFeed(tx, followerId, target.id);
  });
}

/** A locked local account declines a follow request. */
export async function rejectFollowRequest(
  db: Db,
  target: Account,
  followerId: string,
): Promise<void> {
  await db.transaction(async (tx) => {
    const [row] = await tx
      .delete(follows)
      .where(
        and(
          eq(follows.followerId, followerId),
          eq(follows.followingId, target.id),
          eq(follows.state, "pending"),
        ),
      )
      .returning();
    if (!row) throw notFound("Follow request not found");
    const [follower] = await tx.select().from(accounts).where(eq(accounts.id, followerId));
    if (follower && !isLocal(follower)) {
      await enqueueJob(tx, {
        type: "follow.rejected",
        followerId,
        followingId: target.id,
        followUri: row.uri,
      });
    }
  });
}

export async function getFollow(db: Tx, id: string): Promise<Follow | undefined> {
  const [row] = await db.select().from(follows).where(eq(follows.id, id));
  return row;
}

/** How many follow requests wait for `accountId` to answer. */
export async function countFollowRequests(db: Tx, accountId: string): Promise<number> {
  const [row] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(follows)
    .where(and(eq(follows.followingId, accountId), eq(follows.state, "pending")));
  return row.n;
}

/**
 * One page of an account's followers or followings (accepted only), newest follow first, paged
 * by follow id like timelines: max_id (older), since_id (newest above), min_id (right above).
 */
export async function listFollowAccounts(
  db: Tx,
  accountId: string,
  direction: "followers" | "following" | "requests",
  page: Page,
): Promise<{ account: Account; followId: string }[]> {
  const mine = direction === "following" ? follows.followerId : follows.followingId;
  const other = direction === "following" ? follows.followingId : follows.followerId;
  const b = keyset(follows.id, page);
  const rows = await db
    .select({ account: accounts, followId: follows.id })
    .from(follows)
    .innerJoin(accounts, eq(accounts.id, other))
    .where(
      and(
        eq(mine, accountId),
        eq(follows.state, direction === "requests" ? "pending" : "accepted"),
        ...b.where,
      ),
    )
    .orderBy(b.order)
    .limit(page.limit);
  return b.newestFirst(rows);
}
