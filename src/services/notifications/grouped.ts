import { and, desc, eq, lt, type SQL, sql } from "drizzle-orm";
import { queryRows, type Tx } from "../../db/client.ts";
import { accounts, type NotificationType, notifications } from "../../db/schema/index.ts";
import { isId } from "../../lib/ids.ts";
import type { Account } from "../accounts/accounts.ts";
import { type Page, pageLimit } from "../paging.ts";
import { filterClauses, type Notification, type NotificationFilter } from "./notifications.ts";

/** What v2 groups unless the client narrows it (`grouped_types[]`), as Mastodon 4.3+. */
export const GROUPABLE_TYPES: readonly NotificationType[] = ["favourite", "reblog", "follow"];
/** Accounts shown per group (Mastodon's SAMPLE_ACCOUNTS_SIZE). */
export const SAMPLE_ACCOUNTS = 8;

/** One group as v2 shows it: its newest notification on the page and what the group adds. */
export interface NotificationGroup {
  groupKey: string;
  /** The newest notification of the group within the page: its type, account and status. */
  notification: Notification;
  count: number;
  mostRecentId: string;
  sampleAccountIds: string[];
  /** Only when paging through groups (not for one group asked for by key). */
  page?: { minId: string; maxId: string; latestAt: Date };
}

/** The group types the client lets group: none given means every groupable type. */
export function groupedTypes(requested: string[] | undefined): NotificationType[] {
  if (!requested?.length) return [...GROUPABLE_TYPES];
  return GROUPABLE_TYPES.filter((t) => requested.includes(t));
}

/** A notification's group on this request: its stored key if its type groups, else its own. */
function effectiveKey(types: NotificationType[]): SQL {
  const grouping = types.length
    ? sql`${notifications.type} in (${sql.join(
        types.map((t) => sql`${t}`),
        sql`, `,
      )})`
    : sql`false`;
  return sql`(case when ${grouping} then ${notifications.groupKey} else 'ungrouped-' || ${notifications.id}::text end)`;
}

/**
 * The notifications that head one page of groups: newest first, at most one per group, up to
 * `page.limit` groups, in one recursive query (each step is one index probe for the next
 * notification of a group not seen yet), as Mastodon pages groups.
 */
export async function groupHeads(
  db: Tx,
  accountId: string,
  filter: NotificationFilter,
  types: NotificationType[],
  page: Page,
): Promise<Notification[]> {
  const ascending = Boolean(page.minId) && !page.sinceId;
  const bounds = [
    ...filterClauses(accountId, filter),
    page.maxId ? sql`${notifications.id} < ${page.maxId}` : undefined,
    page.sinceId ? sql`${notifications.id} > ${page.sinceId}` : undefined,
    page.minId ? sql`${notifications.id} > ${page.minId}` : undefined,
  ];
  const where = and(...bounds) ?? sql`true`;
  const key = effectiveKey(types);
  const order = ascending ? sql`asc` : sql`desc`;
  const beyond = ascending ? sql`>` : sql`<`;
  const rows = await queryRows<{ id: string }>(
    db,
    sql`
    with recursive heads as (
      (select ${notifications.id} as id, array[${key}]::text[] as seen from ${notifications}
        where ${where} order by ${notifications.id} ${order} limit 1)
      union all
      select nx.id, heads.seen || nx.key from heads
      cross join lateral (
        select ${notifications.id} as id, ${key} as key from ${notifications}
        where ${where} and ${notifications.id} ${beyond} heads.id
          and not (${key} = any(heads.seen))
        order by ${notifications.id} ${order} limit 1
      ) nx
      where cardinality(heads.seen) < ${page.limit}
    )
    select id::text as id from heads`,
  );
  if (rows.length === 0) return [];
  const ids = rows.map((r) => String(r.id));
  const found = await db
    .select()
    .from(notifications)
    .where(
      and(
        eq(notifications.accountId, accountId),
        sql`${notifications.id} in (${sql.join(
          ids.map((id) => sql`${id}::bigint`),
          sql`, `,
        )})`,
      ),
    )
    .orderBy(desc(notifications.id));
  return found;
}

interface GroupFacts {
  key: string;
  most_recent_id: string;
  sample: string[] | string;
  count: number;
  min_id: string;
  latest_at: string | Date;
}

/**
 * Turns the heads of a page into groups: for the grouped ones, one query finds (within the page's
 * range, as Mastodon) each group's newest notification, count, sample accounts and oldest id.
 * `range`: the ids the page covers (none: the whole group, for a group asked for by key).
 */
export async function toGroups(
  db: Tx,
  accountId: string,
  heads: Notification[],
  types: NotificationType[],
  range?: { from?: string; to?: string },
): Promise<NotificationGroup[]> {
  const grouped = heads.filter((n) => types.includes(n.type));
  const keys = [...new Set(grouped.map((n) => n.groupKey))];
  const facts = new Map<string, GroupFacts>();
  if (keys.length) {
    const inGroup = sql`account_id = ${accountId}::bigint and group_key = g.key`;
    const upTo = range?.to ? sql`and id <= ${range.to}::bigint` : sql``;
    const from = range?.from ? sql`and id >= ${range.from}::bigint` : sql``;
    const rows = await queryRows<GroupFacts>(
      db,
      sql`
      select g.key,
        (select id::text from notifications where ${inGroup} ${upTo} order by id desc limit 1) as most_recent_id,
        array(select from_account_id::text from notifications where ${inGroup} ${upTo}
          order by id desc limit ${SAMPLE_ACCOUNTS}) as sample,
        (select count(*)::int from notifications where ${inGroup} ${upTo}) as count,
        (select id::text from notifications where ${inGroup} ${from} ${upTo} order by id asc limit 1) as min_id,
        (select created_at from notifications where ${inGroup} ${upTo} order by id desc limit 1) as latest_at
      from (values ${sql.join(
        keys.map((k) => sql`(${k}::text)`),
        sql`, `,
      )}) as g(key)`,
    );
    for (const r of rows) facts.set(r.key, r);
  }
  return heads.map((n): NotificationGroup => {
    const f = types.includes(n.type) ? facts.get(n.groupKey) : undefined;
    if (!f) {
      return {
        groupKey: `ungrouped-${n.id}`,
        notification: n,
        count: 1,
        mostRecentId: n.id,
        sampleAccountIds: [n.fromAccountId],
        page: range ? { minId: n.id, maxId: n.id, latestAt: n.createdAt } : undefined,
      };
    }
    return {
      groupKey: n.groupKey,
      notification: n,
      count: Number(f.count),
      mostRecentId: String(f.most_recent_id ?? n.id),
      sampleAccountIds: parseTextArray(f.sample),
      page: range
        ? {
            minId: String(f.min_id ?? n.id),
            maxId: String(f.most_recent_id ?? n.id),
            latestAt: new Date(f.latest_at ?? n.createdAt),
          }
        : undefined,
    };
  });
}

/** postgres.js returns text[] as an array, some drivers as its literal `{1,2}`. */
function parseTextArray(v: string[] | string): string[] {
  if (Array.isArray(v)) return v.map(String);
  return v
    .replace(/^\{|\}$/g, "")
    .split(",")
    .filter(Boolean);
}

/** Mastodon's `by_group_key`: `ungrouped-<id>` names one notification, any other key a group. */
export function byGroupKey(accountId: string, groupKey: string): SQL | undefined {
  const own = eq(notifications.accountId, accountId);
  if (groupKey.startsWith("ungrouped-")) {
    const id = groupKey.slice("ungrouped-".length);
    return isId(id) ? and(own, eq(notifications.id, id)) : undefined;
  }
  return and(own, eq(notifications.groupKey, groupKey));
}

/** One group by its key (its newest notification heads it), or undefined. */
export async function findGroup(
  db: Tx,
  accountId: string,
  groupKey: string,
): Promise<NotificationGroup | undefined> {
  const match = byGroupKey(accountId, groupKey);
  if (!match) return undefined;
  const [head] = await db
    .select()
    .from(notifications)
    .where(match)
    .orderBy(desc(notifications.id))
    .limit(1);
  if (!head) return undefined;
  const [group] = await toGroups(db, accountId, [head], [...GROUPABLE_TYPES]);
  return group;
}

/** The accounts behind a group's notifications, newest first, paged by notification id. */
export async function groupAccounts(
  db: Tx,
  accountId: string,
  groupKey: string,
  page: Page,
): Promise<{ notificationId: string; account: Account }[]> {
  const match = byGroupKey(accountId, groupKey);
  if (!match) return [];
  return db
    .select({ notificationId: notifications.id, account: accounts })
    .from(notifications)
    .innerJoin(accounts, eq(accounts.id, notifications.fromAccountId))
    .where(
      and(
        match,
        page.maxId ? lt(notifications.id, page.maxId) : undefined,
        page.sinceId ? sql`${notifications.id} > ${page.sinceId}` : undefined,
      ),
    )
    .orderBy(desc(notifications.id))
    .limit(pageLimit(page.limit));
}

/** Dismisses every notification of a group (idempotent, as on Mastodon). */
export async function dismissGroup(db: Tx, accountId: string, groupKey: string): Promise<void> {
  const match = byGroupKey(accountId, groupKey);
  if (match) await db.delete(notifications).where(match);
}

/**
 * One page of groups, newest first. The range the group facts are counted in is the page's, and
 * on a last (short) page it reaches as far as the request allowed, as Mastodon's does.
 */
export async function listGroups(
  db: Tx,
  accountId: string,
  filter: NotificationFilter,
  types: NotificationType[],
  page: Page,
): Promise<NotificationGroup[]> {
  const heads = await groupHeads(db, accountId, filter, types, page);
  if (heads.length === 0) return [];
  const ascending = Boolean(page.minId) && !page.sinceId;
  const incomplete = heads.length < page.limit;
  const shift = (id: string | undefined, by: bigint) =>
    id === undefined ? undefined : (BigInt(id) + by).toString();
  const range = {
    to: ascending && incomplete ? shift(page.maxId, -1n) : heads[0].id,
    from: !ascending && incomplete ? shift(page.sinceId, 1n) : heads[heads.length - 1].id,
  };
  return toGroups(db, accountId, heads, types, range);
}

/** Unread groups: those with a notification newer than the read marker, capped at `limit`. */
export async function countUnreadGroups(
  db: Tx,
  accountId: string,
  filter: NotificationFilter,
  types: NotificationType[],
  limit: number,
  after?: string,
): Promise<number> {
  return (await groupHeads(db, accountId, filter, types, { minId: after, limit })).length;
}
