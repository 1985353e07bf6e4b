import { and, eq, or, sql } from "drizzle-orm";
import { type Db, queryRows, type Tx } from "../../db/client.ts";
import { accounts, blocks, follows, mutes } from "../../db/schema/index.ts";
import { AppError } from "../../lib/errors.ts";
import { newId } from "../../lib/ids.ts";
import type { Account } from "../accounts/accounts.ts";
import { countFollows } from "../accounts/counters.ts";
import { enqueueJob } from "../jobs.ts";
import { keyset, type Page } from "../paging.ts";
import { removeFromHomeFeed } from "../timelines/fanout.ts";

export type Block = typeof blocks.$inferSelect;

const isLocal = (a: { domain: string | null }) => a.domain === null;

/**
 * Removes the follows (and requests) between two accounts both ways, fixing the counters, in the
 * caller's transaction. The remote side is told as Mastodon tells it: Undo(Follow) for a local
 * account's follow of a remote one, Reject(Follow) for a remote account's follow of a local one.
 * Returns the pairs whose home feeds must be cleaned after commit.
 */
export async function severFollows(
  tx: Tx,
  a: Account,
  b: Account,
): Promise<{ readerId: string; authorId: string }[]> {
  const gone = await tx
    .delete(follows)
    .where(
      or(
        and(eq(follows.followerId, a.id), eq(follows.followingId, b.id)),
        and(eq(follows.followerId, b.id), eq(follows.followingId, a.id)),
      ),
    )
    .returning();
  await countFollows(
    tx,
    gone.filter((f) => f.state === "accepted"),
    -1,
  );
  const byId = new Map([
    [a.id, a],
    [b.id, b],
  ]);
  for (const f of gone) {
    const follower = byId.get(f.followerId)!;
    const following = byId.get(f.followingId)!;
    const ids = { followerId: f.followerId, followingId: f.followingId, followUri: f.uri };
    if (isLocal(follower) && !isLocal(following))
      await enqueueJob(tx, { type: "follow.undone", ...ids });
    else if (!isLocal(follower) && isLocal(following))
      await enqueueJob(tx, { type: "follow.rejected", ...ids });
  }
  return gone.map((f) => ({ readerId: f.followerId, authorId: f.followingId }));
}

/** After commit: the former followers' home feeds lose the other side's posts. */
export async function cleanFeeds(db: Db, pairs: { readerId: string; authorId: string }[]) {
  for (const p of pairs) await removeFromHomeFeed(db, p.readerId, p.authorId);
}

/** A local account blocks another: follows go both ways, a remote target is sent `Block`. */
export async function blockAccount(db: Db, me: Account, target: Account): Promise<void> {
  if (!isLocal(me)) throw new AppError(422, "Only local accounts can block from here");
  if (me.id === target.id) throw new AppError(422, "You cannot block yourself");
  const pairs = await db.transaction(async (tx) => {
    const id = newId();
    const [row] = await tx
      .insert(blocks)
      .values({ id, accountId: me.id, targetAccountId: target.id, uri: `${me.uri}#blocks/${id}` })
      .onConflictDoNothing()
      .returning();
    if (!row) return []; // blocked already: nothing changes, nothing is sent again
    const severed = await severFollows(tx, me, target);
    if (!isLocal(target)) await enqueueJob(tx, { type: "block.created", blockId: row.id });
    return severed;
  });
  await cleanFeeds(db, pairs);
}

/** Takes a block back; a remote target is sent `Undo(Block)`. Unknown blocks: nothing. */
export async function unblockAccount(db: Db, me: Account, target: Account): Promise<void> {
  await db.transaction(async (tx) => {
    const [gone] = await tx
      .delete(blocks)
      .where(and(eq(blocks.accountId, me.id), eq(blocks.targetAccountId, target.id)))
      .returning();
    if (gone && !isLocal(target)) {
      await enqueueJob(tx, {
        type: "block.undone",
        accountId: me.id,
        targetAccountId: target.id,
        uri: gone.uri,
      });
    }
  });
}

/** An inbound `Block` of a local account by a remote one: stored, follows removed both ways. */
export async function receiveBlock(
  db: Db,
  actor: Account,
  target: Account,
  uri: string,
): Promise<void> {
  const pairs = await db.transaction(async (tx) => {
    const [row] = await tx
      .insert(blocks)
      .values({ id: newId(), accountId: actor.id, targetAccountId: target.id, uri })
      .onConflictDoUpdate({ target: [blocks.accountId, blocks.targetAccountId], set: { uri } })
      .returning();
    return row ? severFollows(tx, actor, target) : [];
  });
  await cleanFeeds(db, pairs);
}

/** An inbound `Undo(Block)`: by the Block's id, or (no id known) by the blocked actor. */
export async function receiveUndoBlock(
  db: Db,
  actorId: string,
  by: { uri?: string; targetAccountId?: string },
): Promise<boolean> {
  const match = by.uri
    ? eq(blocks.uri, by.uri)
    : eq(blocks.targetAccountId, by.targetAccountId ?? "0");
  const rows = await db
    .delete(blocks)
    .where(and(eq(blocks.accountId, actorId), match))
    .returning();
  return rows.length > 0;
}

export async function getBlock(db: Tx, id: string): Promise<Block | undefined> {
  const [row] = await db.select().from(blocks).where(eq(blocks.id, id));
  return row;
}

/**
 * True when either account blocked the other, or the local `me` blocked the other's domain: no
 * follow, reply, mention or like between them has effect.
 */
export async function blockedBetween(db: Tx, meId: string, otherId: string): Promise<boolean> {
  const [row] = await queryRows<{ hit: boolean }>(
    db,
    sql`
    select exists (select 1 from blocks b where (b.account_id = ${meId} and b.target_account_id = ${otherId})
        or (b.account_id = ${otherId} and b.target_account_id = ${meId}))
      or exists (select 1 from account_domain_blocks d join accounts a on a.domain = d.domain
        where d.account_id = ${meId} and a.id = ${otherId}) as hit`,
  );
  return Boolean(row?.hit);
}

export interface MuteOptions {
  /** Also hide their notifications (Mastodon's default: true). */
  notifications: boolean;
  /** Seconds; 0 or absent: until unmuted. */
  duration?: number;
}

/** Mutes (or changes a mute of) an account: local only, nothing is sent. */
export async function muteAccount(
  db: Db,
  me: Account,
  target: Account,
  options: MuteOptions,
): Promise<void> {
  if (me.id === target.id) throw new AppError(422, "You cannot mute yourself");
  const expiresAt = options.duration ? new Date(Date.now() + options.duration * 1000) : null;
  const values = { hideNotifications: options.notifications, expiresAt };
  await db
    .insert(mutes)
    .values({ id: newId(), accountId: me.id, targetAccountId: target.id, ...values })
    .onConflictDoUpdate({ target: [mutes.accountId, mutes.targetAccountId], set: values });
}

export async function unmuteAccount(db: Db, me: Account, target: Account): Promise<void> {
  await db
    .delete(mutes)
    .where(and(eq(mutes.accountId, me.id), eq(mutes.targetAccountId, target.id)));
}

/**
 * One page of the accounts `me` blocked or muted, newest first, paged by the block's or mute's
 * id. Listing mutes first drops `me`'s expired ones (their conditions ignore them already).
 */
export async function listBlockedOrMuted(
  db: Tx,
  meId: string,
  kind: "blocks" | "mutes",
  page: Page,
): Promise<{ account: Account; id: string }[]> {
  const table = kind === "blocks" ? blocks : mutes;
  if (kind === "mutes") {
    await db.delete(mutes).where(and(eq(mutes.accountId, meId), sql`${mutes.expiresAt} <= now()`));
  }
  const b = keyset(table.id, page);
  const rows = await db
    .select({ account: accounts, id: table.id })
    .from(table)
    .innerJoin(accounts, eq(accounts.id, table.targetAccountId))
    .where(and(eq(table.accountId, meId), ...b.where))
    .orderBy(b.order)
    .limit(page.limit);
  return b.newestFirst(rows);
}
