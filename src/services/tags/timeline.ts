import { and, eq, exists, isNull, not, type SQL, sql } from "drizzle-orm";
import type { Tx } from "../../db/client.ts";
import { mediaAttachments, statuses, statusTags } from "../../db/schema/index.ts";
import { keyset, type Page, pageLimit } from "../paging.ts";
import { notSilenced, visibleAuthor } from "../safety/hidden.ts";
import type { Status } from "../statuses/types.ts";

export interface TagTimelineOptions {
  /** Further tags of which a post may carry any instead of the first (`any[]`). */
  any?: string[];
  /** Tags a post must carry as well (`all[]`), and tags it must not carry (`none[]`). */
  all?: string[];
  none?: string[];
  local?: boolean;
  remote?: boolean;
  onlyMedia?: boolean;
}

const hasTag = (names: string[]) =>
  exists(
    sql`(select 1 from status_tags t where t.status_id = ${statuses.id} and t.name in (${sql.join(
      names.map((n) => sql`${n}`),
      sql`, `,
    )}))`,
  );

/**
 * Public posts carrying a hashtag, newest first (no boosts, as Mastodon). With one tag it is a
 * range scan on status_tags_name_status_idx (name, status_id desc) joined to statuses by key;
 * `any[]` reads statuses_public_idx and probes the tags per post instead, since posts may carry
 * several of them. Blocks, mutes and domain blocks of the viewer hold.
 */
export async function tagTimeline(
  db: Tx,
  name: string,
  page: Page,
  opts: TagTimelineOptions,
  viewerId: string | null,
): Promise<Status[]> {
  const anyOf = [...new Set([name, ...(opts.any ?? [])])];
  const byTag = anyOf.length === 1;
  const { where, order, newestFirst } = keyset(byTag ? statusTags.statusId : statuses.id, page);
  const conditions: SQL[] = [
    eq(statuses.visibility, "public"),
    isNull(statuses.reblogOfId),
    visibleAuthor(viewerId, statuses.accountId),
    notSilenced(statuses.accountId),
    ...where,
  ];
  for (const tag of opts.all ?? []) conditions.push(hasTag([tag]));
  if (opts.none?.length) conditions.push(not(hasTag(opts.none)));
  if (opts.local) conditions.push(eq(statuses.local, true));
  if (opts.remote) conditions.push(eq(statuses.local, false));
  if (opts.onlyMedia) {
    conditions.push(
      exists(
        db
          .select({ one: sql`1` })
          .from(mediaAttachments)
          .where(eq(mediaAttachments.statusId, statuses.id)),
      ),
    );
  }
  const rows = byTag
    ? (
        await db
          .select({ status: statuses })
          .from(statusTags)
          .innerJoin(statuses, eq(statuses.id, statusTags.statusId))
          .where(and(eq(statusTags.name, name), ...conditions))
          .orderBy(order)
          .limit(pageLimit(page.limit))
      ).map((r) => r.status)
    : await db
        .select()
        .from(statuses)
        .where(and(hasTag(anyOf), ...conditions))
        .orderBy(order)
        .limit(pageLimit(page.limit));
  return newestFirst(rows);
}
