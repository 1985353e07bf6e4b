import { and, eq } from "drizzle-orm";
import type { Tx } from "../../db/client.ts";
import { followedTags } from "../../db/schema/index.ts";
import { newId } from "../../lib/ids.ts";
import { keyset, type Page } from "../paging.ts";

/**
 * Follows a hashtag: from now on public posts carrying it that reach this server land in the
 * follower's home feed (see tagFollowersOf). Twice is the same follow.
 */
export async function followTag(db: Tx, accountId: string, name: string): Promise<void> {
  await db.insert(followedTags).values({ id: newId(), accountId, name }).onConflictDoNothing();
}

/** Stops following; posts already in home stay (as Mastodon leaves them). */
export async function unfollowTag(db: Tx, accountId: string, name: string): Promise<void> {
  await db
    .delete(followedTags)
    .where(and(eq(followedTags.accountId, accountId), eq(followedTags.name, name)));
}

/** The account's followed tags, newest follow first, paged by followed_tags.id. */
export async function listFollowedTags(
  db: Tx,
  accountId: string,
  page: Page,
): Promise<{ id: string; name: string }[]> {
  const { where, order, newestFirst } = keyset(followedTags.id, page);
  const rows = await db
    .select({ id: followedTags.id, name: followedTags.name })
    .from(followedTags)
    .where(and(eq(followedTags.accountId, accountId), ...where))
    .orderBy(order)
    .limit(page.limit);
  return newestFirst(rows);
}
