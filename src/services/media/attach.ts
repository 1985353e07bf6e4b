import { and, eq, inArray, isNull, notInArray, or } from "drizzle-orm";
import type { Tx } from "../../db/client.ts";
import { mediaAttachments } from "../../db/schema/index.ts";
import { AppError } from "../../lib/errors.ts";
import { enqueueJob } from "../jobs.ts";
import { fileKeysOf, type MediaInput } from "./media.ts";

/** Mastodon's limit of attachments per post. */
export const MAX_MEDIA_PER_STATUS = 4;

/** `media_attributes[]` on an edit: new alt text or focus for media staying on the post. */
export interface MediaAttributes extends MediaInput {
  id: string;
}

/**
 * Checks before a post is written that `ids` can be attached: at most 4, the author's own,
 * processed, and not on another post (`statusId`: the post being edited may keep its own).
 */
export async function checkAttachable(
  db: Tx,
  accountId: string,
  ids: string[],
  statusId?: string,
): Promise<void> {
  if (ids.length > MAX_MEDIA_PER_STATUS)
    throw new AppError(422, `Validation failed: at most ${MAX_MEDIA_PER_STATUS} media per status`);
  if (new Set(ids).size !== ids.length)
    throw new AppError(422, "Validation failed: media_ids lists a media twice");
  if (ids.length === 0) return;
  const found = await db
    .select()
    .from(mediaAttachments)
    .where(
      and(
        inArray(mediaAttachments.id, ids),
        eq(mediaAttachments.accountId, accountId),
        // Media waiting on a scheduled post are its own until it is published.
        isNull(mediaAttachments.scheduledStatusId),
        statusId
          ? or(isNull(mediaAttachments.statusId), eq(mediaAttachments.statusId, statusId))
          : isNull(mediaAttachments.statusId),
      ),
    );
  if (found.length !== ids.length)
    throw new AppError(
      422,
      "Validation failed: media_ids names media that is not yours or is attached to another status",
    );
  if (found.some((m) => m.state === "pending"))
    throw new AppError(
      422,
      "Validation failed: cannot attach files that have not finished processing, try again in a moment",
    );
  if (found.some((m) => m.state === "failed"))
    throw new AppError(422, "Validation failed: media_ids names media that could not be processed");
}

/**
 * Attaches `ids` (checked by checkAttachable) to the status in that order, inside the post's
 * transaction. Media taken off an edited post are deleted with their files. An upload taken by
 * a concurrent post in between makes the whole post fail (422) rather than share it.
 */
export async function attachMedia(
  tx: Tx,
  accountId: string,
  statusId: string,
  ids: string[],
  attributes: MediaAttributes[] = [],
): Promise<void> {
  const removed = await tx
    .delete(mediaAttachments)
    .where(
      and(
        eq(mediaAttachments.statusId, statusId),
        ids.length ? notInArray(mediaAttachments.id, ids) : undefined,
      ),
    )
    .returning();
  if (removed.length)
    await enqueueJob(tx, { type: "media.delete_files", keys: fileKeysOf(removed) });
  const byId = new Map(attributes.map((a) => [a.id, a]));
  for (const [position, id] of ids.entries()) {
    const attrs = byId.get(id);
    const [row] = await tx
      .update(mediaAttachments)
      .set({
        statusId,
        position,
        ...(attrs?.description !== undefined ? { description: attrs.description || null } : {}),
        updatedAt: new Date(),
      })
      .where(
        and(
          eq(mediaAttachments.id, id),
          eq(mediaAttachments.accountId, accountId),
          isNull(mediaAttachments.scheduledStatusId),
          or(isNull(mediaAttachments.statusId), eq(mediaAttachments.statusId, statusId)),
        ),
      )
      .returning();
    if (!row)
      throw new AppError(
        422,
        "Validation failed: a media was attached to another status meanwhile",
      );
    if (attrs?.focus)
      await tx
        .update(mediaAttachments)
        .set({ meta: { ...row.meta, focus: attrs.focus } })
        .where(eq(mediaAttachments.id, id));
  }
}
