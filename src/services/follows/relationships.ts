import { and, eq, inArray, or } from "drizzle-orm";
import type { Tx } from "../../db/client.ts";
import { follows } from "../../db/schema/index.ts";
import { NO_SAFETY_FACTS, type SafetyFacts, safetyFacts } from "../safety/relationship-facts.ts";

/** Mastodon's Relationship, as far as Tern keeps these facts. */
export interface RelationshipFacts extends SafetyFacts {
  id: string;
  following: boolean;
  requested: boolean;
  followedBy: boolean;
  requestedBy: boolean;
  /** The viewer's options on their follow (or request) of the account. */
  showingReblogs: boolean;
  notifying: boolean;
  languages: string[] | null;
}

export async function relationships(
  db: Tx,
  viewerId: string,
  targetIds: string[],
): Promise<RelationshipFacts[]> {
  if (targetIds.length === 0) return [];
  const [rows, safety] = await Promise.all([
    db
      .select()
      .from(follows)
      .where(
        or(
          and(eq(follows.followerId, viewerId), inArray(follows.followingId, targetIds)),
          and(eq(follows.followingId, viewerId), inArray(follows.followerId, targetIds)),
        ),
      ),
    safetyFacts(db, viewerId, targetIds),
  ]);
  return targetIds.map((id) => {
    const out = rows.find((r) => r.followerId === viewerId && r.followingId === id);
    const inc = rows.find((r) => r.followingId === viewerId && r.followerId === id);
    return {
      id,
      following: out?.state === "accepted",
      requested: out?.state === "pending",
      followedBy: inc?.state === "accepted",
      requestedBy: inc?.state === "pending",
      showingReblogs: out ? out.showReblogs : false,
      notifying: out ? out.notify : false,
      languages: out?.languages ?? null,
      ...(safety.get(id) ?? NO_SAFETY_FACTS),
    };
  });
}
