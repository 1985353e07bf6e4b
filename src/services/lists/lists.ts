import { and, asc, desc, eq, gt, inArray, lt, type SQL } from "drizzle-orm";
import type { Db, Tx } from "../../db/client.ts";
import {
  accounts,
  follows,
  type ListRepliesPolicy,
  listAccounts,
  lists,
} from "../../db/schema/index.ts";
import { notFound, unprocessable } from "../../lib/errors.ts";
import { newId } from "../../lib/ids.ts";
import type { Account } from "../accounts/accounts.ts";
import type { Page } from "../paging.ts";
import { backfillListMembers, removeMembersFromListFeed } from "./feed.ts";

export type List = typeof lists.$inferSelect;

/** Mastodon's limit on a list title (its UI caps it at 256 characters too). */
export const MAX_LIST_TITLE = 256;

export interface ListInput {
  title?: string;
  repliesPolicy?: ListRepliesPolicy;
  exclusive?: boolean;
}

function checkTitle(title: string | undefined): string | undefined {
  if (title === undefined) return undefined;
  const trimmed = title.trim();
  if (trimmed === "") throw unprocessable("Validation failed: Title can't be blank");
  if (trimmed.length > MAX_LIST_TITLE)
    throw unprocessable(`Validation failed: Title is too long (at most ${MAX_LIST_TITLE})`);
  return trimmed;
}

/** The owner's lists, in the order they made them (as Mastodon lists them). */
export function listsOf(db: Tx, ownerId: string): Promise<List[]> {
  return db.select().from(lists).where(eq(lists.accountId, ownerId)).orderBy(asc(lists.id));
}

/** One of the owner's lists; someone else's is a 404, as if it did not exist. */
export async function getList(db: Tx, ownerId: string, id: string): Promise<List> {
  const [row] = await db
    .select()
    .from(lists)
    .where(and(eq(lists.id, id), eq(lists.accountId, ownerId)));
  if (!row) throw notFound();
  return row;
}

export async function createList(db: Tx, ownerId: string, input: ListInput): Promise<List> {
  const title = checkTitle(input.title ?? "");
  const [row] = await db
    .insert(lists)
    .values({
      id: newId(),
      accountId: ownerId,
      title: title!,
      repliesPolicy: input.repliesPolicy ?? "list",
      exclusive: input.exclusive ?? false,
    })
    .returning();
  return row;
}

/** Changes what is given; the feed keeps what it holds (new posts follow the new policy). */
export async function updateList(
  db: Tx,
  ownerId: string,
  id: string,
  input: ListInput,
): Promise<List> {
  await getList(db, ownerId, id);
  const title = checkTitle(input.title);
  const changes = {
    ...(title !== undefined ? { title } : {}),
    ...(input.repliesPolicy !== undefined ? { repliesPolicy: input.repliesPolicy } : {}),
    ...(input.exclusive !== undefined ? { exclusive: input.exclusive } : {}),
  };
  if (Object.keys(changes).length === 0) return getList(db, ownerId, id);
  const [row] = await db.update(lists).set(changes).where(eq(lists.id, id)).returning();
  return row;
}

/** Deleting a list deletes its members and its feed (cascades). */
export async function deleteList(db: Tx, ownerId: string, id: string): Promise<void> {
  await getList(db, ownerId, id);
  await db.delete(lists).where(eq(lists.id, id));
}

/**
 * A list's members, paged by account id; `limit: 0` is all of them, as on Mastodon.
 * One range scan on the primary key (list_id, account_id).
 */
export async function listMembers(
  db: Tx,
  ownerId: string,
  id: string,
  page: Page,
): Promise<Account[]> {
  await getList(db, ownerId, id);
  const where: SQL[] = [eq(listAccounts.listId, id)];
  if (page.maxId) where.push(lt(listAccounts.accountId, page.maxId));
  const after = page.minId ?? page.sinceId;
  if (after) where.push(gt(listAccounts.accountId, after));
  const ascending = Boolean(page.minId) && !page.sinceId;
  const query = db
    .select({ account: accounts })
    .from(listAccounts)
    .innerJoin(accounts, eq(accounts.id, listAccounts.accountId))
    .where(and(...where))
    .orderBy(ascending ? asc(listAccounts.accountId) : desc(listAccounts.accountId));
  const rows = page.limit > 0 ? await query.limit(page.limit) : await query;
  const members = rows.map((r) => r.account);
  return ascending ? members.reverse() : members;
}

/**
 * Adds accounts the owner follows (or has asked to follow, as Mastodon allows); any other is a
 * 422 naming it, and then nothing is added. Their recent posts join the list's feed at once.
 */
export async function addListMembers(
  db: Db,
  ownerId: string,
  id: string,
  accountIds: string[],
): Promise<void> {
  await db.transaction(async (tx) => {
    await getList(tx, ownerId, id);
    const wanted = [...new Set(accountIds)];
    const found = await tx
      .select({ account: accounts, followId: follows.id })
      .from(accounts)
      .leftJoin(follows, and(eq(follows.followingId, accounts.id), eq(follows.followerId, ownerId)))
      .where(inArray(accounts.id, wanted));
    const byId = new Map(found.map((r) => [r.account.id, r]));
    for (const accountId of wanted) {
      const row = byId.get(accountId);
      if (!row) throw notFound(`Account ${accountId} not found`);
      if (!row.followId) {
        const { username, domain } = row.account;
        const acct = domain ? `${username}@${domain}` : username;
        throw unprocessable(`Validation failed: Account @${acct} is not followed by you`);
      }
    }
    await tx
      .insert(listAccounts)
      .values(found.map((r) => ({ listId: id, accountId: r.account.id, followId: r.followId })))
      .onConflictDoNothing();
    await backfillListMembers(tx, id, wanted);
  });
}

/** Removes members; their posts leave the list's feed. Removing a non-member is not an error. */
export async function removeListMembers(
  db: Db,
  ownerId: string,
  id: string,
  accountIds: string[],
): Promise<void> {
  await db.transaction(async (tx) => {
    await getList(tx, ownerId, id);
    await tx
      .delete(listAccounts)
      .where(and(eq(listAccounts.listId, id), inArray(listAccounts.accountId, accountIds)));
    await removeMembersFromListFeed(tx, id, accountIds);
  });
}

/** The owner's lists that hold the account (GET /api/v1/accounts/:id/lists). */
export async function listsHolding(db: Tx, ownerId: string, accountId: string): Promise<List[]> {
  const rows = await db
    .select({ list: lists })
    .from(listAccounts)
    .innerJoin(lists, eq(lists.id, listAccounts.listId))
    .where(and(eq(listAccounts.accountId, accountId), eq(lists.accountId, ownerId)))
    .orderBy(asc(lists.id));
  return rows.map((r) => r.list);
}
