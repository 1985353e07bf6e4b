import { type SQL, sql } from "drizzle-orm";
import type { Tx } from "../../db/client.ts";
import { accountSearchText, accounts } from "../../db/schema/index.ts";
import type { Account } from "../accounts/accounts.ts";
import { findPublicAccountByAcct, notPending } from "../accounts/visible.ts";
import { notBlocked } from "../safety/hidden.ts";

export interface AccountSearchScope {
  viewerId: string | null;
  localHost: string;
  /** Only accounts the viewer follows (`following=true`). */
  following: boolean;
  limit: number;
  offset: number;
}

/** `user`, `@user`, `user@host` or `@user@host`: a handle that can be matched exactly. */
export const HANDLE = /^@?([a-z0-9_][a-z0-9_.-]*)(?:@([a-z0-9.-]+(?::\d{1,5})?))?$/i;

const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

const follows = (viewerId: string) =>
  sql`exists (select 1 from follows f where f.follower_id = ${viewerId} and f.following_id = ${accounts.id} and f.state = 'accepted')`;

/**
 * Accounts matching `q`, best first: the exact handle, then accounts whose username or display
 * name starts with it, then fuzzy (trigram) matches over accountSearchText, the expression
 * accounts_search_trgm_idx is built on (`like` and word similarity `<%` both use that GIN index,
 * and a typo in one word of a long display name still matches). Within each,
 * accounts the viewer follows come first, then discoverable ones, then by similarity. Accounts
 * that blocked the viewer or that the viewer blocked are left out.
 */
export async function searchAccounts(
  db: Tx,
  q: string,
  scope: AccountSearchScope,
): Promise<Account[]> {
  const handle = HANDLE.exec(q.trim());
  const exact = handle
    ? await findPublicAccountByAcct(
        db,
        handle[2] ? `${handle[1]}@${handle[2]}` : handle[1],
        scope.localHost,
      )
    : undefined;
  const term = q.trim().replace(/^@/, "").replaceAll("@", " ").toLowerCase();
  if (!term) return exact ? [exact] : [];
  const prefix = `${escapeLike(term)}%`;
  const where: SQL[] = [
    sql`(${accountSearchText} like ${`%${escapeLike(term)}%`} or ${term} <% ${accountSearchText})`,
    notBlocked(scope.viewerId, accounts.id),
    notPending(accounts.id),
  ];
  if (scope.following && scope.viewerId) where.push(follows(scope.viewerId));
  const followedFirst = scope.viewerId ? sql`${follows(scope.viewerId)} desc,` : sql``;
  const rows = await db
    .select()
    .from(accounts)
    .where(sql.join(where, sql` and `))
    .orderBy(
      sql`${exact ? sql`${accounts.id} = ${exact.id} desc,` : sql``}
        (lower(${accounts.username}) like ${prefix} or lower(${accounts.displayName}) like ${prefix}) desc,
        ${followedFirst} ${accounts.discoverable} desc,
        word_similarity(${term}, ${accountSearchText}) desc, ${accounts.id}`,
    )
    .limit(scope.limit)
    .offset(scope.offset);
  // The exact handle may not be a fuzzy match of itself (user@host against "user host ...").
  if (exact && scope.offset === 0 && !rows.some((r) => r.id === exact.id)) {
    const allowed = !scope.following || (await isFollowed(db, scope.viewerId, exact.id));
    if (allowed && !(await blocked(db, scope.viewerId, exact.id)))
      return [exact, ...rows].slice(0, scope.limit);
  }
  return rows;
}

async function isFollowed(db: Tx, viewerId: string | null, id: string): Promise<boolean> {
  if (!viewerId) return false;
  const [row] = await db
    .select({ id: accounts.id })
    .from(accounts)
    .where(sql`${accounts.id} = ${id} and ${follows(viewerId)}`);
  return Boolean(row);
}

async function blocked(db: Tx, viewerId: string | null, id: string): Promise<boolean> {
  const [row] = await db
    .select({ id: accounts.id })
    .from(accounts)
    .where(sql`${accounts.id} = ${id} and ${notBlocked(viewerId, accounts.id)}`);
  return !row;
}
