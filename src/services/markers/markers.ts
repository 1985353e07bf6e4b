import { and, eq, inArray, sql } from "drizzle-orm";
import type { Db, Tx } from "../../db/client.ts";
import { markers } from "../../db/schema/index.ts";

export type Marker = typeof markers.$inferSelect;
export const markerTimelines = ["home", "notifications"] as const;
export type MarkerTimeline = (typeof markerTimelines)[number];

/** The account's saved reading positions among `timelines` (unknown names are ignored). */
export async function getMarkers(
  db: Tx,
  accountId: string,
  timelines: string[],
): Promise<Marker[]> {
  const wanted = markerTimelines.filter((t) => timelines.includes(t));
  if (wanted.length === 0) return [];
  return db
    .select()
    .from(markers)
    .where(and(eq(markers.accountId, accountId), inArray(markers.timeline, wanted)));
}

/**
 * Saves the given positions (the others stay), each save bumping its `version` as Mastodon's
 * optimistic lock does; one statement per timeline, so two saves at once both count.
 */
export async function saveMarkers(
  db: Db,
  accountId: string,
  positions: Partial<Record<MarkerTimeline, string>>,
): Promise<Marker[]> {
  return db.transaction(async (tx) => {
    const saved: Marker[] = [];
    for (const timeline of markerTimelines) {
      const lastReadId = positions[timeline];
      if (lastReadId === undefined) continue;
      const [row] = await tx
        .insert(markers)
        .values({ accountId, timeline, lastReadId })
        .onConflictDoUpdate({
          target: [markers.accountId, markers.timeline],
          set: { lastReadId, version: sql`${markers.version} + 1`, updatedAt: sql`now()` },
        })
        .returning();
      saved.push(row);
    }
    return saved;
  });
}

/** Where the account last read its notifications; unread ones are newer (none saved: all). */
export async function notificationsReadUpTo(
  db: Tx,
  accountId: string,
): Promise<string | undefined> {
  const [row] = await getMarkers(db, accountId, ["notifications"]);
  return row?.lastReadId;
}
