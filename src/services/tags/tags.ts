import { and, eq, inArray, sql } from "drizzle-orm";
import { queryRows, type Tx } from "../../db/client.ts";
import { featuredTags, followedTags } from "../../db/schema/index.ts";
import { idAtTime } from "../../lib/ids.ts";

const DAY_MS = 86_400_000;
/** Days of history a Tag carries, today first (Mastodon shows a week). */
export const HISTORY_DAYS = 7;

export interface TagDay {
  /** UNIX time of the day's start (UTC), as Mastodon sends it: a string. */
  day: string;
  uses: string;
  accounts: string;
}

export interface TagFacts {
  name: string;
  history: TagDay[];
  /** Null without a viewer: Mastodon leaves `following` out for anonymous callers. */
  following: boolean | null;
  featuring: boolean | null;
}

/**
 * Uses per day of each tag over the last week, in one query: a status's day is read from its
 * time-sortable id (milliseconds in the high bits), so it is a range scan on
 * status_tags_name_status_idx per tag, not a scan of statuses by date. Only public posts count,
 * so history never tells of a post the caller could not see.
 */
export async function tagHistories(
  db: Tx,
  names: string[],
  now = Date.now(),
): Promise<Map<string, TagDay[]>> {
  const today = Math.floor(now / DAY_MS);
  const since = idAtTime((today - HISTORY_DAYS + 1) * DAY_MS);
  const rows = names.length
    ? await queryRows<{ name: string; day: string; uses: string; accounts: string }>(
        db,
        sql`select st.name, ((st.status_id >> 16) / ${DAY_MS})::text as day,
            count(*)::text as uses, count(distinct s.account_id)::text as accounts
          from status_tags st join statuses s on s.id = st.status_id
          where st.name in (${sql.join(
            names.map((n) => sql`${n}`),
            sql`, `,
          )}) and st.status_id >= ${since} and s.visibility = 'public'
          group by 1, 2`,
      )
    : [];
  const found = new Map(rows.map((r) => [`${r.name} ${r.day}`, r]));
  const out = new Map<string, TagDay[]>();
  for (const name of names) {
    const days: TagDay[] = [];
    for (let d = today; d > today - HISTORY_DAYS; d--) {
      const row = found.get(`${name} ${d}`);
      days.push({
        day: String((d * DAY_MS) / 1000),
        uses: row?.uses ?? "0",
        accounts: row?.accounts ?? "0",
      });
    }
    out.set(name, days);
  }
  return out;
}

/** History, and whether the viewer follows and features each tag: three queries for any number. */
export async function tagFacts(
  db: Tx,
  names: string[],
  viewerId: string | null,
): Promise<TagFacts[]> {
  const unique = [...new Set(names)];
  const mine = async (table: typeof followedTags | typeof featuredTags) =>
    viewerId && unique.length
      ? new Set(
          (
            await db
              .select({ name: table.name })
              .from(table)
              .where(and(eq(table.accountId, viewerId), inArray(table.name, unique)))
          ).map((r) => r.name),
        )
      : null;
  const [history, following, featuring] = await Promise.all([
    tagHistories(db, unique),
    mine(followedTags),
    mine(featuredTags),
  ]);
  return names.map((name) => ({
    name,
    history: history.get(name) ?? [],
    following: following ? following.has(name) : null,
    featuring: featuring ? featuring.has(name) : null,
  }));
}
