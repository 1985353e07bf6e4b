import { asc, eq } from "drizzle-orm";
import type { Tx } from "../../db/client.ts";
import { mentions, statusEdits } from "../../db/schema/index.ts";
import { notFound } from "../../lib/errors.ts";
import { newId } from "../../lib/ids.ts";
import { loadBundle } from "./load.ts";
import type { Status, StatusBundle } from "./types.ts";
import { canView } from "./visibility.ts";

export type StatusEdit = typeof statusEdits.$inferSelect;

/** What a version of a post is made of: an edit is a change of one of these. */
export interface StatusVersion {
  content: string;
  spoilerText: string;
  sensitive: boolean;
  language: string | null;
}

/** True when `next` differs from what `status` shows now (a re-sent or vote-count Update does not). */
export function changesVersion(status: Status, next: StatusVersion): boolean {
  return (
    status.content !== next.content ||
    status.spoilerText !== next.spoilerText ||
    status.sensitive !== next.sensitive ||
    (status.language ?? null) !== (next.language ?? null)
  );
}

/**
 * Keeps the version an edit makes, in the edit's transaction. The first edit stores the original
 * too, dated at the post's creation (as Mastodon does), so the history always ends with what the
 * status shows and starts with what was first published. Ids are minted in the order versions
 * are kept, so ordering by id is the order of the edits.
 */
export async function recordEdit(
  tx: Tx,
  before: Status,
  next: StatusVersion,
  editedAt: Date,
): Promise<void> {
  const [earlier] = await tx
    .select({ id: statusEdits.id })
    .from(statusEdits)
    .where(eq(statusEdits.statusId, before.id))
    .limit(1);
  const version = (v: StatusVersion, at: Date) => ({
    id: newId(),
    statusId: before.id,
    content: v.content,
    spoilerText: v.spoilerText,
    sensitive: v.sensitive,
    language: v.language,
    createdAt: at,
  });
  const rows = earlier ? [] : [version(before, before.createdAt)];
  rows.push(version(next, editedAt));
  await tx.insert(statusEdits).values(rows);
}

/**
 * The versions of a status the viewer may see, oldest first, ending with the current one. A
 * never-edited status has one: itself (Mastodon answers the same).
 */
export async function statusHistory(
  db: Tx,
  statusId: string,
  viewerId: string | null,
): Promise<{ bundle: StatusBundle; versions: StatusEdit[] }> {
  const bundle = await loadBundle(db, statusId);
  if (!(await canView(db, bundle.status, viewerId))) throw notFound();
  const versions = await db
    .select()
    .from(statusEdits)
    .where(eq(statusEdits.statusId, statusId))
    .orderBy(asc(statusEdits.id));
  if (versions.length > 0) return { bundle, versions };
  const s = bundle.status;
  return {
    bundle,
    versions: [
      {
        id: s.id,
        statusId: s.id,
        content: s.content,
        spoilerText: s.spoilerText,
        sensitive: s.sensitive,
        language: s.language,
        createdAt: s.createdAt,
      },
    ],
  };
}

/** Who a status mentions now (to tell, after an edit, who was newly mentioned). */
export async function mentionedBy(tx: Tx, statusId: string): Promise<Set<string>> {
  const rows = await tx
    .select({ accountId: mentions.accountId })
    .from(mentions)
    .where(eq(mentions.statusId, statusId));
  return new Set(rows.map((r) => r.accountId));
}
