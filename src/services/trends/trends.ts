import { sql } from "drizzle-orm";
import { queryRows, type Tx } from "../../db/client.ts";
import { statuses } from "../../db/schema/index.ts";
import { idAtTime } from "../../lib/ids.ts";
import { visibleAuthor } from "../safety/hidden.ts";
import type { Status } from "../statuses/types.ts";

const DAY_MS = 86_400_000;

export interface TrendingTag {
  name: string;
  /** Seven days, today first: uses (posts) and distinct accounts per day. */
  history: { day: string; uses: string; accounts: string }[];
  following: boolean;
}

/**
 * Hashtags of the last 7 days' public posts, ranked by how many accounts used them (Mastodon
 * ranks by people, not posts, so one account cannot push a tag up). One grouped query over an
 * id range of statuses; the history comes in the same query.
 */
export async function trendingTags(
  db: Tx,
  viewerId: string | null,
  page: { limit: number; offset: number },
  now = Date.now(),
): Promise<TrendingTag[]> {
  const today = Math.floor(now / DAY_MS) * DAY_MS;
  const since = today - 6 * DAY_MS;
  const rows = await queryRows<{
    name: string;
    day: string;
    uses: number;
    accounts: number;
    total: number;
    following: boolean;
  }>(
    db,
    sql`with used as (
        select t.name, s.account_id, s.created_at from status_tags t
          join statuses s on s.id = t.status_id
          where s.id >= ${idAtTime(since)} and s.visibility = 'public' and s.reblog_of_id is null
            and ${visibleAuthor(viewerId, sql`s.account_id`)}
      ), top as (
        select name, count(distinct account_id)::int as total from used
          group by name order by total desc, name limit ${page.limit} offset ${page.offset}
      )
      select top.name, top.total,
          (floor(extract(epoch from u.created_at) / 86400) * 86400)::bigint::text as day,
          count(*)::int as uses, count(distinct u.account_id)::int as accounts,
          ${viewerId ? sql`exists (select 1 from followed_tags f where f.account_id = ${viewerId} and f.name = top.name)` : sql`false`} as following
        from top join used u on u.name = top.name
        group by top.name, top.total, day`,
  );
  const byName = new Map<
    string,
    { total: number; following: boolean; days: Map<string, (typeof rows)[number]> }
  >();
  for (const r of rows) {
    const entry = byName.get(r.name) ?? { total: r.total, following: r.following, days: new Map() };
    entry.days.set(r.day, r);
    byName.set(r.name, entry);
  }
  return [...byName.entries()]
    .sort((a, b) => b[1].total - a[1].total || a[0].localeCompare(b[0]))
    .map(([name, e]) => ({
      name,
      following: e.following,
      history: Array.from({ length: 7 }, (_, i) => {
        const day = String((today - i * DAY_MS) / 1000);
        const d = e.days.get(day);
        return { day, uses: String(d?.uses ?? 0), accounts: String(d?.accounts ?? 0) };
      }),
    }));
}

/**
 * Public posts of the last 2 days with the most favourites and boosts, that the viewer may see
 * (hidden authors left out), best first. An id range of statuses joined with their counters.
 */
export async function trendingStatuses(
  db: Tx,
  viewerId: string | null,
  page: { limit: number; offset: number },
  now = Date.now(),
): Promise<Status[]> {
  const rows = await queryRows<{ id: string }>(
    db,
    sql`select s.id from statuses s join status_stats st on st.status_id = s.id
      where s.id >= ${idAtTime(now - 2 * DAY_MS)} and s.visibility = 'public'
        and s.reblog_of_id is null and st.favourites_count + st.reblogs_count > 0
        and ${visibleAuthor(viewerId, sql`s.account_id`)}
      order by st.favourites_count + st.reblogs_count desc, s.id desc
      limit ${page.limit} offset ${page.offset}`,
  );
  if (rows.length === 0) return [];
  const ids = rows.map((r) => String(r.id));
  const found = await db
    .select()
    .from(statuses)
    .where(
      sql`${statuses.id} in (${sql.join(
        ids.map((id) => sql`${id}`),
        sql`, `,
      )})`,
    );
  const byId = new Map(found.map((s) => [s.id, s]));
  return ids.flatMap((id) => (byId.has(id) ? [byId.get(id)!] : []));
}
