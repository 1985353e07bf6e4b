import { and, eq } from "drizzle-orm";
import type { Tx } from "../../db/client.ts";
import { follows, mentions } from "../../db/schema/index.ts";
import type { Status } from "./types.ts";

/**
 * Who may see a status: public and unlisted ones anybody; followers-only ones the author and
 * accepted followers (and mentioned accounts); direct ones the author and mentioned accounts.
 */
export async function canView(db: Tx, status: Status, viewerId: string | null): Promise<boolean> {
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
