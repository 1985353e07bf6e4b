/**
 * CSV exports in Mastodon's formats (what its /settings/export files hold), so that a file taken
 * from Tern imports into Mastodon and back. Written page by page on keyset ranges of an index
 * (one query per EXPORT_PAGE rows, the account columns joined in): any size streams flat.
 */
import { and, asc, eq, gt, isNull, lt, or, sql } from "drizzle-orm";
import type { Tx } from "../../db/client.ts";
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
import { csvLine } from "./csv.ts";

const EXPORT_PAGE = 500;

/** Mastodon's file names for each export (its import page guesses the type from them too). */
export const EXPORT_FILE_NAMES: Record<ImportType, string> = {
  following: "following_accounts.csv",
  blocks: "blocked_accounts.csv",
  mutes: "muted_accounts.csv",
  domain_blocks: "blocked_domains.csv",
  lists: "lists.csv",
  bookmarks: "bookmarks.csv",
};

/** `user@host` for remote accounts, `user@ourhost` for local ones (as Mastodon writes them). */
const acct = (a: { username: string; domain: string | null }, localHost: string) =>
  `${a.username}@${a.domain ?? localHost}`;

/** The lines of one export, header first where Mastodon writes one. */
export async function* exportCsv(
  db: Tx,
  accountId: string,
  type: ImportType,
  localHost: string,
): AsyncGenerator<string> {
  switch (type) {
    case "following":
      yield csvLine(["Account address", "Show boosts", "Notify on new posts", "Languages"]);
      for await (const r of pages((after) => followingPage(db, accountId, after)))
        yield csvLine([acct(r, localHost), r.showReblogs, r.notify, r.languages?.join(", ")]);
      return;
    case "blocks":
      for await (const r of pages((after) => blocksPage(db, accountId, after)))
        yield csvLine([acct(r, localHost)]);
      return;
    case "mutes":
      yield csvLine(["Account address", "Hide notifications"]);
      for await (const r of pages((after) => mutesPage(db, accountId, after)))
        yield csvLine([acct(r, localHost), r.hideNotifications]);
      return;
    case "domain_blocks":
      for await (const r of pages((after) => domainBlocksPage(db, accountId, after)))
        yield csvLine([r.domain]);
      return;
    case "lists":
      for (const list of await db
        .select({ id: lists.id, title: lists.title })
        .from(lists)
        .where(eq(lists.accountId, accountId))
        .orderBy(asc(lists.id)))
        for await (const r of pages((after) => listPage(db, list.id, after)))
          yield csvLine([list.title, acct(r, localHost)]);
      return;
    case "bookmarks":
      for await (const r of pages((after) => bookmarksPage(db, accountId, after)))
        yield csvLine([r.uri]);
      return;
  }
}

/** Walks pages until a short one; each row's `key` is where the next page starts. */
async function* pages<T extends { key: string }>(
  page: (after: string | null) => Promise<T[]>,
): AsyncGenerator<T> {
  let after: string | null = null;
  for (;;) {
    const rows = await page(after);
    yield* rows;
    if (rows.length < EXPORT_PAGE) return;
    after = rows[rows.length - 1].key;
  }
}

const accountColumns = { username: accounts.username, domain: accounts.domain };

/** On follows_pair_key (follower_id, following_id): accepted follows only, as Mastodon's. */
function followingPage(db: Tx, accountId: string, after: string | null) {
  return db
    .select({
      key: follows.followingId,
      ...accountColumns,
      showReblogs: follows.showReblogs,
      notify: follows.notify,
      languages: follows.languages,
    })
    .from(follows)
    .innerJoin(accounts, eq(accounts.id, follows.followingId))
    .where(
      and(
        eq(follows.followerId, accountId),
        eq(follows.state, "accepted"),
        after ? gt(follows.followingId, after) : undefined,
      ),
    )
    .orderBy(asc(follows.followingId))
    .limit(EXPORT_PAGE);
}

/** Newest first on blocks_account_idx (account_id, id), as Mastodon orders them. */
function blocksPage(db: Tx, accountId: string, after: string | null) {
  return db
    .select({ key: blocks.id, ...accountColumns })
    .from(blocks)
    .innerJoin(accounts, eq(accounts.id, blocks.targetAccountId))
    .where(and(eq(blocks.accountId, accountId), after ? lt(blocks.id, after) : undefined))
    .orderBy(sql`${blocks.id} desc`)
    .limit(EXPORT_PAGE);
}

/** Newest first on mutes_account_idx; expired mutes are no longer mutes. */
function mutesPage(db: Tx, accountId: string, after: string | null) {
  return db
    .select({ key: mutes.id, ...accountColumns, hideNotifications: mutes.hideNotifications })
    .from(mutes)
    .innerJoin(accounts, eq(accounts.id, mutes.targetAccountId))
    .where(
      and(
        eq(mutes.accountId, accountId),
        or(isNull(mutes.expiresAt), sql`${mutes.expiresAt} > now()`),
        after ? lt(mutes.id, after) : undefined,
      ),
    )
    .orderBy(sql`${mutes.id} desc`)
    .limit(EXPORT_PAGE);
}

/** On account_domain_blocks_key (account_id, domain). */
function domainBlocksPage(db: Tx, accountId: string, after: string | null) {
  return db
    .select({ key: accountDomainBlocks.domain, domain: accountDomainBlocks.domain })
    .from(accountDomainBlocks)
    .where(
      and(
        eq(accountDomainBlocks.accountId, accountId),
        after ? gt(accountDomainBlocks.domain, after) : undefined,
      ),
    )
    .orderBy(asc(accountDomainBlocks.domain))
    .limit(EXPORT_PAGE);
}

/** On list_accounts' primary key (list_id, account_id). */
function listPage(db: Tx, listId: string, after: string | null) {
  return db
    .select({ key: listAccounts.accountId, ...accountColumns })
    .from(listAccounts)
    .innerJoin(accounts, eq(accounts.id, listAccounts.accountId))
    .where(
      and(eq(listAccounts.listId, listId), after ? gt(listAccounts.accountId, after) : undefined),
    )
    .orderBy(asc(listAccounts.accountId))
    .limit(EXPORT_PAGE);
}

/** Newest bookmark first on bookmarks_account_idx; a status is named by its ActivityPub id. */
function bookmarksPage(db: Tx, accountId: string, after: string | null) {
  return db
    .select({ key: bookmarks.id, uri: statuses.uri })
    .from(bookmarks)
    .innerJoin(statuses, eq(statuses.id, bookmarks.statusId))
    .where(and(eq(bookmarks.accountId, accountId), after ? lt(bookmarks.id, after) : undefined))
    .orderBy(sql`${bookmarks.id} desc`)
    .limit(EXPORT_PAGE);
}
