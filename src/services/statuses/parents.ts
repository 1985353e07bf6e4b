import { and, inArray, isNull } from "drizzle-orm";
import type { Db } from "../../db/client.ts";
import { accounts } from "../../db/schema/index.ts";
import { findStatusByUri, type RemoteStatusData, upsertRemoteStatus } from "./remote.ts";
import type { Status } from "./types.ts";

/**
 * Fetches a remote post by its id and maps it (signed by the instance actor, timed out, origin
 * checked: the object's id and author on the origin it was fetched from). Null when it cannot be
 * had or is not a post. Given by the caller: services never fetch themselves.
 */
export type RemotePostResolver = (uri: string) => Promise<RemoteStatusData | null>;

/**
 * Stores the unknown parent of a stored remote reply, so the thread shows it. The parent then
 * adopts the replies waiting for it (and counts them); if it is itself a reply to something
 * unknown, its own fetch is queued with one less of `budget`, so one arriving reply makes at most
 * PARENT_FETCH_DEPTH fetches however long the chain above it.
 */
export async function fetchMissingParent(
  db: Db,
  uri: string,
  budget: number,
  resolve: RemotePostResolver,
): Promise<Status | null> {
  if (budget <= 0) return null;
  const known = await findStatusByUri(db, uri);
  if (known) return known;
  const data = await resolve(uri);
  if (!data || !(await mayKeep(db, data))) return null;
  const saved = await upsertRemoteStatus(db, { ...data, parentFetchBudget: budget - 1 });
  return saved?.status ?? null;
}

/** Public and unlisted posts are context for anyone; others only when addressed to us. */
async function mayKeep(db: Db, data: RemoteStatusData): Promise<boolean> {
  if (data.visibility === "public" || data.visibility === "unlisted") return true;
  if (data.mentionedAccountIds.length === 0) return false;
  const [local] = await db
    .select({ id: accounts.id })
    .from(accounts)
    .where(and(inArray(accounts.id, data.mentionedAccountIds), isNull(accounts.domain)))
    .limit(1);
  return Boolean(local);
}
