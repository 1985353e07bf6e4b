import { sql } from "drizzle-orm";
import { queryRows, type Tx } from "../../db/client.ts";
import { isTagName } from "../tags/names.ts";

/**
 * Hashtag names starting with `q` (`#` optional), the exact name first, then in name order:
 * names used in posts (a loose index scan of status_tags_name_status_idx: one index probe per
 * distinct name, however many posts carry it, stopping at the first name past the prefix) and names someone here follows or features.
 */
export async function searchHashtags(
  db: Tx,
  q: string,
  limit: number,
  offset: number,
): Promise<string[]> {
  const term = q.trim().replace(/^#/, "").toLowerCase();
  if (!isTagName(term)) return [];
  const wanted = limit + offset;
  const prefix = `${term.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  const rows = await queryRows<{ name: string }>(
    db,
    sql`with recursive used(name, n) as (
        (select name, 1 from status_tags where name >= ${term} order by name limit 1)
        union all
        (select t.name, used.n + 1 from used cross join lateral (
          select name from status_tags where name > used.name order by name limit 1
        ) t where used.n < ${wanted} and used.name like ${prefix})
      )
      select name from (
        select name from used where name like ${prefix}
        union select name from followed_tags where name >= ${term} and name like ${prefix}
        union select name from featured_tags where name >= ${term} and name like ${prefix}
      ) names order by name = ${term} desc, name limit ${limit} offset ${offset}`,
  );
  return rows.map((r) => r.name);
}
