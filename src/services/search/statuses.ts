import { type SQL, sql } from "drizzle-orm";
import { queryRows, type Tx } from "../../db/client.ts";
import { statuses, statusSearchDocument } from "../../db/schema/index.ts";
import { idAtTime } from "../../lib/ids.ts";
import { findAccountByAcct } from "../accounts/accounts.ts";
import { visibleAuthor } from "../safety/hidden.ts";
import type { Status } from "../statuses/types.ts";
import type { StatusQuery } from "./query.ts";

export interface StatusSearchScope {
  viewerId: string | null;
  localHost: string;
  /** `account_id`: only this author's posts. */
  accountId?: string;
  limit: number;
  offset: number;
}

/**
 * Which posts a search may find, kept simple and close to Mastodon 4.x: public posts whose author
 * opted in (`indexable`, local and remote alike), and, for a signed-in viewer, their own posts
 * (any visibility), posts they are mentioned in (which they may see), and public or unlisted
 * posts they favourited or bookmarked. Each branch only holds posts the viewer may see, so no
 * filtering after the page is needed. Boosts are not searched.
 */
function searchable(viewerId: string | null): SQL {
  const open = sql`(${statuses.visibility} = 'public' and exists (select 1 from accounts a where a.id = ${statuses.accountId} and a.indexable))`;
  if (!viewerId) return open;
  return sql`(${open}
    or ${statuses.accountId} = ${viewerId}
    or exists (select 1 from mentions m where m.status_id = ${statuses.id} and m.account_id = ${viewerId})
    or (${statuses.visibility} in ('public', 'unlisted') and (
      exists (select 1 from favourites f where f.status_id = ${statuses.id} and f.account_id = ${viewerId})
      or exists (select 1 from bookmarks b where b.status_id = ${statuses.id} and b.account_id = ${viewerId}))))`;
}

const negate = (cond: SQL, negated: boolean) => (negated ? sql`not ${cond}` : cond);

/** A link that is not a mention or hashtag (no link previews are stored to say more). */
const hasLink = sql`regexp_replace(${statuses.content}, '<a [^>]*class="[^"]*(mention|hashtag)[^"]*"[^>]*>', '', 'g') ~* '<a [^>]*href="https?://'`;

/**
 * Full-text search over statuses, newest first. The text goes to websearch_to_tsquery over the
 * very expression statuses_search_idx is built on, so the GIN index finds the candidates.
 * `from:` names an account (`me` is the viewer); an unknown one matches nothing.
 */
export async function searchStatuses(
  db: Tx,
  query: StatusQuery,
  scope: StatusSearchScope,
): Promise<Status[]> {
  const where: SQL[] = [
    sql`${statuses.reblogOfId} is null`,
    searchable(scope.viewerId),
    visibleAuthor(scope.viewerId, statuses.accountId),
  ];
  if (query.text.trim())
    where.push(
      sql`${statusSearchDocument} @@ websearch_to_tsquery('simple', ${query.text.trim()})`,
    );
  if (scope.accountId) where.push(sql`${statuses.accountId} = ${scope.accountId}`);
  for (const from of query.from) {
    const id =
      from.acct.toLowerCase() === "me"
        ? scope.viewerId
        : ((await findAccountByAcct(db, from.acct, scope.localHost))?.id ?? null);
    if (!id && !from.negated) return [];
    if (id) where.push(negate(sql`${statuses.accountId} = ${id}`, from.negated));
  }
  for (const has of query.has) {
    const cond =
      has.what === "media"
        ? sql`exists (select 1 from media_attachments ma where ma.status_id = ${statuses.id})`
        : has.what === "poll"
          ? sql`exists (select 1 from polls p where p.status_id = ${statuses.id})`
          : hasLink;
    where.push(negate(cond, has.negated));
  }
  for (const is of query.is) {
    const cond =
      is.what === "reply"
        ? sql`(${statuses.inReplyToId} is not null or ${statuses.inReplyToUri} is not null)`
        : sql`(${statuses.sensitive} or ${statuses.spoilerText} <> '')`;
    where.push(negate(cond, is.negated));
  }
  for (const lang of query.languages)
    where.push(
      negate(
        sql`lower(split_part(coalesce(${statuses.language}, ''), '-', 1)) = ${lang.code}`,
        lang.negated,
      ),
    );
  // Ids are time-sortable: dates become an id range on the primary key.
  if (query.beforeMs !== undefined) where.push(sql`${statuses.id} < ${idAtTime(query.beforeMs)}`);
  if (query.afterMs !== undefined) where.push(sql`${statuses.id} >= ${idAtTime(query.afterMs)}`);
  const page = (tx: Tx, order: SQL) =>
    tx
      .select()
      .from(statuses)
      .where(sql.join(where, sql` and `))
      .orderBy(order)
      .limit(scope.limit)
      .offset(scope.offset);
  const text = query.text.trim();
  if (!text) return page(db, sql`${statuses.id} desc`);
  const matches = sql`${statusSearchDocument} @@ websearch_to_tsquery('simple', ${text})`;
  // Two plans, chosen by how many posts match (bench/search.ts shows both at 200k posts). Few
  // matches: the GIN index finds them all and only they are checked and sorted (no sequential
  // scan, and `id + 0` so the planner cannot borrow the primary key's order). Many: walking
  // the primary key backwards finds a page of visible matches after a few rows each. Left to
  // itself the planner takes the walk for rare words too, running to_tsvector on every row.
  return db.transaction(async (tx) => {
    await tx.execute(sql`set local enable_seqscan = off`);
    const [probe] = await queryRows<{ n: number }>(
      tx,
      sql`select count(*)::int as n from (select 1 from statuses where ${matches} limit ${MANY_MATCHES + 1}) m`,
    );
    if (probe.n <= MANY_MATCHES) return page(tx, sql`${statuses.id} + 0 desc`);
    await tx.execute(sql`set local enable_bitmapscan = off`);
    return page(tx, sql`${statuses.id} desc`);
  });
}

/** Above this many matching posts, a search walks the newest posts instead of all the matches. */
const MANY_MATCHES = 2000;
