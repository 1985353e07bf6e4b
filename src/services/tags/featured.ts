import { and, asc, count, eq, sql } from "drizzle-orm";
import { queryRows, type Tx } from "../../db/client.ts";
import { featuredTags } from "../../db/schema/index.ts";
import { AppError, notFound } from "../../lib/errors.ts";
import { newId } from "../../lib/ids.ts";

/** At most this many featured tags per profile (Mastodon's limit). */
export const MAX_FEATURED_TAGS = 10;

export interface FeaturedTagFacts {
  id: string;
  name: string;
  statusesCount: number;
  lastStatusAt: Date | null;
}

/**
 * The account's featured tags in the order they were added, each with how many of its public
 * and unlisted posts carry it and when the last one was posted: two queries in all (the counts
 * are one grouped scan of status_tags_name_status_idx over at most ten names).
 */
export async function listFeaturedTags(db: Tx, accountId: string): Promise<FeaturedTagFacts[]> {
  const tags = await db
    .select()
    .from(featuredTags)
    .where(eq(featuredTags.accountId, accountId))
    .orderBy(asc(featuredTags.id));
  if (tags.length === 0) return [];
  const stats = await queryRows<{ name: string; n: number; last: string | Date | null }>(
    db,
    sql`select st.name, count(*)::int as n, max(s.created_at) as last
      from status_tags st join statuses s on s.id = st.status_id
      where st.name in (${sql.join(
        tags.map((t) => sql`${t.name}`),
        sql`, `,
      )}) and s.account_id = ${accountId} and s.visibility in ('public', 'unlisted')
        and s.reblog_of_id is null
      group by st.name`,
  );
  const byName = new Map(stats.map((r) => [r.name, r]));
  return tags.map((t) => {
    const row = byName.get(t.name);
    return {
      id: t.id,
      name: t.name,
      statusesCount: row?.n ?? 0,
      lastStatusAt: row?.last ? new Date(row.last) : null,
    };
  });
}

/** Features a tag on the profile; one already featured or an eleventh is a 422 that says so. */
export async function featureTag(db: Tx, accountId: string, name: string): Promise<string> {
  const [{ n }] = await db
    .select({ n: count() })
    .from(featuredTags)
    .where(eq(featuredTags.accountId, accountId));
  if (n >= MAX_FEATURED_TAGS)
    throw new AppError(422, `Validation failed: at most ${MAX_FEATURED_TAGS} featured tags`);
  const [row] = await db
    .insert(featuredTags)
    .values({ id: newId(), accountId, name })
    .onConflictDoNothing()
    .returning({ id: featuredTags.id });
  if (!row) throw new AppError(422, `Validation failed: #${name} is already featured`);
  return row.id;
}

/** Removes one of the account's featured tags; another's or an unknown id is a 404. */
export async function unfeatureTag(db: Tx, accountId: string, id: string): Promise<void> {
  const gone = await db
    .delete(featuredTags)
    .where(and(eq(featuredTags.id, id), eq(featuredTags.accountId, accountId)))
    .returning({ id: featuredTags.id });
  if (gone.length === 0) throw notFound();
}

/** The tags the account used most in its own posts and does not feature yet (at most ten). */
export async function suggestedFeaturedTags(db: Tx, accountId: string): Promise<string[]> {
  const rows = await queryRows<{ name: string }>(
    db,
    sql`select st.name from statuses s join status_tags st on st.status_id = s.id
      where s.account_id = ${accountId} and s.reblog_of_id is null
        and s.visibility in ('public', 'unlisted')
        and not exists (select 1 from featured_tags f where f.account_id = ${accountId} and f.name = st.name)
      group by st.name order by count(*) desc, st.name limit ${MAX_FEATURED_TAGS}`,
  );
  return rows.map((r) => r.name);
}

/** The names of the account's featured tags, in the order they were added (its actor's collection). */
export async function listFeaturedTagNames(db: Tx, accountId: string): Promise<string[]> {
  const rows = await db
    .select({ name: featuredTags.name })
    .from(featuredTags)
    .where(eq(featuredTags.accountId, accountId))
    .orderBy(asc(featuredTags.id));
  return rows.map((r) => r.name);
}
