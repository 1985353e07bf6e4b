import { and, eq, inArray, type SQL, sql } from "drizzle-orm";
import type { Tx } from "../../db/client.ts";
import { follows, mentions } from "../../db/schema/index.ts";
import { notBlocked } from "../safety/hidden.ts";
import { authorBlocksViewer, hiddenAuthors } from "../safety/hidden-authors.ts";
import type { Status } from "./types.ts";

/**
 * Who may see a status: public and unlisted ones anybody; followers-only ones the author and
 * accepted followers (and mentioned accounts); direct ones the author and mentioned accounts.
 */
export async function canView(db: Tx, status: Status, viewerId: string | null): Promise<boolean> {
  // An author who blocked the viewer is not there for them (Mastodon: 404), whatever the post.
  if (await authorBlocksViewer(db, status.accountId, viewerId)) return false;
  if (status.visibility === "public" || status.visibility === "unlisted") return true;
  if (!viewerId) return false;
  if (viewerId === status.accountId) return true;
  const [mentioned] = await db
    .select({ id: mentions.accountId })
    .from(mentions)
    .where(and(eq(mentions.statusId, status.id), eq(mentions.accountId, viewerId)));
  if (mentioned) return true;
  if (status.visibility === "direct") return false;
  const [follow] = await db
    .select({ id: follows.id })
    .from(follows)
    .where(
      and(
        eq(follows.followerId, viewerId),
        eq(follows.followingId, status.accountId),
        eq(follows.state, "accepted"),
      ),
    );
  return Boolean(follow);
}

/** `canView` for many statuses in at most three queries; keeps the order of `rows`. */
export async function visibleOnly(
  db: Tx,
  all: Status[],
  viewerId: string | null,
): Promise<Status[]> {
  const open = (s: Status) =>
    s.visibility === "public" || s.visibility === "unlisted" || s.accountId === viewerId;
  // Blocks either way hide the post (one query, skipped when nobody is signed in).
  const blocked = await hiddenAuthors(
    db,
    viewerId,
    all.map((s) => s.accountId),
    "blocked",
  );
  const rows = blocked.size ? all.filter((s) => !blocked.has(s.accountId)) : all;
  const closed = rows.filter((s) => !open(s));
  if (!viewerId || closed.length === 0) return rows.filter(open);
  const authors = [
    ...new Set(closed.filter((s) => s.visibility === "private").map((s) => s.accountId)),
  ];
  const [mentioned, followed] = await Promise.all([
    db
      .select({ statusId: mentions.statusId })
      .from(mentions)
      .where(
        and(
          eq(mentions.accountId, viewerId),
          inArray(
            mentions.statusId,
            closed.map((s) => s.id),
          ),
        ),
      ),
    authors.length
      ? db
          .select({ id: follows.followingId })
          .from(follows)
          .where(
            and(
              eq(follows.followerId, viewerId),
              inArray(follows.followingId, authors),
              eq(follows.state, "accepted"),
            ),
          )
      : [],
  ]);
  const mentionedIn = new Set(mentioned.map((m) => m.statusId));
  const following = new Set(followed.map((f) => f.id));
  return rows.filter(
    (s) =>
      open(s) ||
      mentionedIn.has(s.id) ||
      (s.visibility === "private" && following.has(s.accountId)),
  );
}

/**
 * `visibleOnly` as a condition on the status `s` of a bigger statement (bundles loaded by id):
 * no block either way, and public, unlisted, the viewer's own, mentioning the viewer, or
 * followers-only with the viewer an accepted follower.
 */
export function viewableBy(viewerId: string | null): SQL {
  const open = sql`s.visibility in ('public', 'unlisted')`;
  if (!viewerId) return open;
  const viewer = sql`${viewerId}::bigint`;
  return sql`${notBlocked(viewer, sql`s.account_id`)} and (${open} or s.account_id = ${viewer}
    or exists (select 1 from mentions vm where vm.status_id = s.id and vm.account_id = ${viewer})
    or (s.visibility = 'private' and exists (select 1 from follows vf
      where vf.follower_id = ${viewer} and vf.following_id = s.account_id and vf.state = 'accepted')))`;
}
