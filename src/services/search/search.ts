import { and, eq, or } from "drizzle-orm";
import type { Db } from "../../db/client.ts";
import { accounts, statuses } from "../../db/schema/index.ts";
import type { Account } from "../accounts/accounts.ts";
import { notBlocked, visibleAuthor } from "../safety/hidden.ts";
import { fetchMissingParent, type RemotePostResolver } from "../statuses/parents.ts";
import type { Status } from "../statuses/types.ts";
import { canView } from "../statuses/visibility.ts";
import { HANDLE, searchAccounts } from "./accounts.ts";
import { searchHashtags } from "./hashtags.ts";
import { parseStatusQuery } from "./query.ts";
import { searchStatuses } from "./statuses.ts";

export type SearchType = "accounts" | "statuses" | "hashtags";

/**
 * What `resolve=true` may fetch, given by the caller (services never fetch): a remote account by
 * handle or actor URL, and a remote post by URL. Both are signed, SSRF-guarded, size-capped and
 * timed out by the federation layer.
 */
export interface SearchResolvers {
  account: (handleOrUrl: string) => Promise<Account | null>;
  post: RemotePostResolver;
}

export interface SearchParams {
  q: string;
  type?: SearchType;
  viewerId: string | null;
  localHost: string;
  /** Null: do not fetch anything (not asked, or an anonymous caller). */
  resolvers: SearchResolvers | null;
  following: boolean;
  accountId?: string;
  limit: number;
  offset: number;
}

export interface SearchResults {
  accounts: Account[];
  statuses: Status[];
  hashtags: string[];
}

const isUrl = (q: string) => /^https?:\/\/\S+$/i.test(q);

/**
 * Mastodon's search: a URL finds the post or profile it names (fetched with `resolve`), a handle
 * finds its account (through WebFinger with `resolve`), and otherwise each asked type is searched.
 */
export async function search(db: Db, p: SearchParams): Promise<SearchResults> {
  const want = (t: SearchType) => !p.type || p.type === t;
  const q = p.q.trim();
  if (isUrl(q)) return byUrl(db, q, p, want);
  const out: SearchResults = { accounts: [], statuses: [], hashtags: [] };
  if (want("accounts")) {
    out.accounts = await searchAccounts(db, q, { ...p });
    const handle = HANDLE.exec(q);
    if (out.accounts.length === 0 && handle?.[2] && p.resolvers && p.offset === 0) {
      const found = await p.resolvers.account(`${handle[1]}@${handle[2]}`);
      if (found) out.accounts = [found];
    }
  }
  if (want("statuses"))
    out.statuses = await searchStatuses(db, parseStatusQuery(q), {
      viewerId: p.viewerId,
      localHost: p.localHost,
      accountId: p.accountId,
      limit: p.limit,
      offset: p.offset,
    });
  if (want("hashtags")) out.hashtags = await searchHashtags(db, q, p.limit, p.offset);
  return out;
}

/** A post or profile by its id or page URL: stored ones, else (resolve) fetched. */
async function byUrl(
  db: Db,
  url: string,
  p: SearchParams,
  want: (t: SearchType) => boolean,
): Promise<SearchResults> {
  const out: SearchResults = { accounts: [], statuses: [], hashtags: [] };
  if (p.offset > 0) return out;
  if (want("statuses")) {
    let [status]: (Status | undefined)[] = await db
      .select()
      .from(statuses)
      .where(or(eq(statuses.uri, url), eq(statuses.url, url)))
      .limit(1);
    if (!status && p.resolvers)
      status = (await fetchMissingParent(db, url, 1, p.resolvers.post)) ?? undefined;
    if (status && (await shown(db, status, p.viewerId))) out.statuses = [status];
  }
  if (want("accounts") && out.statuses.length === 0) {
    let [account]: (Account | undefined)[] = await db
      .select()
      .from(accounts)
      .where(or(eq(accounts.uri, url), eq(accounts.url, url)))
      .limit(1);
    if (!account && p.resolvers) account = (await p.resolvers.account(url)) ?? undefined;
    if (account && (await notBlockedBy(db, account.id, p.viewerId))) out.accounts = [account];
  }
  return out;
}

async function shown(db: Db, status: Status, viewerId: string | null): Promise<boolean> {
  if (status.reblogOfId || !(await canView(db, status, viewerId))) return false;
  const [row] = await db
    .select({ id: statuses.id })
    .from(statuses)
    .where(and(eq(statuses.id, status.id), visibleAuthor(viewerId, statuses.accountId)));
  return Boolean(row);
}

async function notBlockedBy(db: Db, accountId: string, viewerId: string | null) {
  const [row] = await db
    .select({ id: accounts.id })
    .from(accounts)
    .where(and(eq(accounts.id, accountId), notBlocked(viewerId, accounts.id)));
  return Boolean(row);
}
