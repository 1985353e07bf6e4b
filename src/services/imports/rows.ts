/**
 * What one import row does, and what overwrite mode removes first, per type, through the services
 * a user's own actions use (follows, blocks and their federation included).
 */
import { and, eq, inArray } from "drizzle-orm";
import type { Db } from "../../db/client.ts";
import {
  accountDomainBlocks,
  accounts,
  blocks,
  bookmarks,
  follows,
  type ImportType,
  listAccounts,
  lists,
  mutes,
  statuses,
} from "../../db/schema/index.ts";
import { type Account, findAccountByAcct } from "../accounts/accounts.ts";
import { bookmarkStatus } from "../bookmarks/bookmarks.ts";
import { followAccount, unfollowAccount } from "../follows/follows.ts";
import {
  addListMembers,
  createList,
  deleteList,
  type List,
  removeListMembers,
} from "../lists/lists.ts";
import { blockDomainForAccount, unblockDomainForAccount } from "../safety/account-domain-blocks.ts";
import { blockAccount, muteAccount, unblockAccount, unmuteAccount } from "../safety/blocks.ts";

export interface RowContext {
  me: Account;
  /** Our host: `alice@ourhost` is the local alice. */
  localHost: string;
  /** Finds (WebFinger) and stores a remote account by `user@host`; null when it cannot. */
  resolveAccount(handle: string): Promise<Account | null>;
  /** The owner's lists by title, found or made during this run. */
  lists: Map<string, List>;
}

const HANDLE = /^[^@\s/]+(@[^@\s/]+)?$/;
const flag = (v: string | undefined) => (v === "true" ? true : v === "false" ? false : undefined);

/** A handle the way Mastodon compares them: lower case, our own host left off. */
function key(handle: string, localHost: string): string {
  const lower = handle.toLowerCase();
  const suffix = `@${localHost.toLowerCase()}`;
  return lower.endsWith(suffix) ? lower.slice(0, -suffix.length) : lower;
}

async function findTarget(db: Db, handle: string, ctx: RowContext): Promise<Account | null> {
  if (!HANDLE.test(handle)) return null;
  const known = await findAccountByAcct(db, handle, ctx.localHost);
  if (known) return known;
  const domain = handle.split("@")[1];
  if (!domain || domain.toLowerCase() === ctx.localHost.toLowerCase()) return null;
  return ctx.resolveAccount(handle);
}

async function listNamed(db: Db, title: string, ctx: RowContext): Promise<List> {
  const cached = ctx.lists.get(title);
  if (cached) return cached;
  const [found] = await db
    .select()
    .from(lists)
    .where(and(eq(lists.accountId, ctx.me.id), eq(lists.title, title)))
    .limit(1);
  const list = found ?? (await createList(db, ctx.me.id, { title }));
  ctx.lists.set(title, list);
  return list;
}

/** Does one row; false when it cannot be done (unknown account or post). Throws AppErrors. */
export async function importRow(
  db: Db,
  type: ImportType,
  row: string[],
  ctx: RowContext,
): Promise<boolean> {
  const { me } = ctx;
  if (type === "domain_blocks") {
    if (!row[0]) return false;
    await blockDomainForAccount(db, me, row[0]);
    return true;
  }
  if (type === "bookmarks") {
    // Only posts this server has: a post elsewhere is not fetched for a bookmark.
    const [status] = await db
      .select({ id: statuses.id })
      .from(statuses)
      .where(eq(statuses.uri, row[0]))
      .limit(1);
    if (!status) return false;
    await bookmarkStatus(db, me, status.id);
    return true;
  }
  const handle = type === "lists" ? row[1] : row[0];
  const target = await findTarget(db, handle, ctx);
  if (!target) return false;
  switch (type) {
    case "following":
      await followAccount(db, me, target, {
        showReblogs: flag(row[1]),
        notify: flag(row[2]),
        languages: row[3] ? row[3].split(",") : undefined,
      });
      return true;
    case "blocks":
      await blockAccount(db, me, target);
      return true;
    case "mutes":
      // Mastodon's default for a mute: notifications hidden too.
      await muteAccount(db, me, target, { notifications: flag(row[1]) ?? true });
      return true;
    case "lists": {
      const list = await listNamed(db, row[0], ctx);
      // As Mastodon: a list holds followed accounts, so the import follows them first.
      if (target.id !== me.id) await followAccount(db, me, target);
      await addListMembers(db, me.id, list.id, [target.id]);
      return true;
    }
  }
}

/**
 * Overwrite mode, before the rows: what the account has that the file does not name goes (an
 * unfollow, unblock or unmute as by hand; lists not in the file are deleted and the others
 * emptied, as Mastodon does, the rows then filling them again).
 */
export async function applyOverwrite(
  db: Db,
  type: ImportType,
  rows: string[][],
  ctx: RowContext,
): Promise<void> {
  const { me, localHost } = ctx;
  if (type === "domain_blocks") {
    const wanted = new Set(rows.map((r) => r[0]));
    const had = await db
      .select({ domain: accountDomainBlocks.domain })
      .from(accountDomainBlocks)
      .where(eq(accountDomainBlocks.accountId, me.id));
    for (const { domain } of had)
      if (!wanted.has(domain)) await unblockDomainForAccount(db, me, domain);
    return;
  }
  if (type === "bookmarks") {
    const wanted = new Set(rows.map((r) => r[0]));
    const had = await db
      .select({ id: bookmarks.id, uri: statuses.uri })
      .from(bookmarks)
      .innerJoin(statuses, eq(statuses.id, bookmarks.statusId))
      .where(eq(bookmarks.accountId, me.id));
    const gone = had.filter((b) => !wanted.has(b.uri)).map((b) => b.id);
    for (let i = 0; i < gone.length; i += 500)
      await db.delete(bookmarks).where(inArray(bookmarks.id, gone.slice(i, i + 500)));
    return;
  }
  if (type === "lists") {
    const titles = new Set(rows.map((r) => r[0]));
    for (const list of await db.select().from(lists).where(eq(lists.accountId, me.id))) {
      if (!titles.has(list.title)) {
        await deleteList(db, me.id, list.id);
        continue;
      }
      const members = await db
        .select({ id: listAccounts.accountId })
        .from(listAccounts)
        .where(eq(listAccounts.listId, list.id));
      if (members.length)
        await removeListMembers(
          db,
          me.id,
          list.id,
          members.map((m) => m.id),
        );
    }
    return;
  }
  const wanted = new Set(rows.map((r) => key(r[0], localHost)));
  const [table, owner, target] =
    type === "following"
      ? [follows, follows.followerId, follows.followingId]
      : type === "blocks"
        ? [blocks, blocks.accountId, blocks.targetAccountId]
        : [mutes, mutes.accountId, mutes.targetAccountId];
  const had = await db
    .select({ account: accounts })
    .from(table)
    .innerJoin(accounts, eq(accounts.id, target))
    .where(eq(owner, me.id));
  for (const { account } of had) {
    const handle = account.domain ? `${account.username}@${account.domain}` : account.username;
    if (wanted.has(key(handle, localHost))) continue;
    if (type === "following") await unfollowAccount(db, me, account);
    else if (type === "blocks") await unblockAccount(db, me, account);
    else await unmuteAccount(db, me, account);
  }
}
