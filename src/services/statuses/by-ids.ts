import { inArray } from "drizzle-orm";
import type { Tx } from "../../db/client.ts";
import { statuses } from "../../db/schema/index.ts";
import { unprocessable } from "../../lib/errors.ts";
import { isId } from "../../lib/ids.ts";
import type { Status } from "./types.ts";
import { visibleOnly } from "./visibility.ts";

/** Mastodon's cap on GET /api/v1/statuses?id[]= (its DEFAULT_STATUSES_LIMIT). */
export const MAX_STATUS_IDS = 20;

/**
 * Several statuses at once, in the order asked, each only if `viewerId` may see it; unknown and
 * hidden ones are left out (as Mastodon does), repeated ids count once. More than MAX_STATUS_IDS
 * distinct ids is a 422. One query for the statuses, at most two for their visibility.
 */
export async function visibleStatusesByIds(
  db: Tx,
  ids: string[],
  viewerId: string | null,
): Promise<Status[]> {
  const wanted = [...new Set(ids)];
  if (wanted.length > MAX_STATUS_IDS)
    throw unprocessable(`Validation failed: at most ${MAX_STATUS_IDS} ids may be asked at once`);
  // Something that is not an id names no status: left out like an unknown one.
  const valid = wanted.filter(isId);
  if (valid.length === 0) return [];
  const rows = await db.select().from(statuses).where(inArray(statuses.id, valid));
  const byId = new Map(rows.map((s) => [s.id, s]));
  const ordered = valid.flatMap((id) => byId.get(id) ?? []);
  return visibleOnly(db, ordered, viewerId);
}
