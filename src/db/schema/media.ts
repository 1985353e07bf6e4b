import { sql } from "drizzle-orm";
import { index, integer, jsonb, pgTable, text } from "drizzle-orm/pg-core";
import { accounts } from "./accounts.ts";
import { createdAt, id, tstz } from "./columns.ts";
import { statuses } from "./statuses.ts";
import { scheduledStatuses } from "./studio.ts";

export const mediaTypes = ["image", "gifv", "video", "audio", "unknown"] as const;
export type MediaType = (typeof mediaTypes)[number];

/** `pending`: the upload waits for its processing job; `failed`: it could not be processed. */
export const mediaStates = ["pending", "ready", "failed"] as const;
export type MediaState = (typeof mediaStates)[number];

/**
 * Mastodon's MediaAttachment `meta`: sizes of the original and the preview, the focus point; for
 * video, gifv and audio also the length, frame rate and sound as Mastodon shows them.
 */
export interface MediaMeta {
  original?: {
    width?: number;
    height?: number;
    size?: string;
    aspect?: number;
    frame_rate?: string;
    duration?: number;
    bitrate?: number;
  };
  small?: { width: number; height: number; size: string; aspect: number };
  focus?: { x: number; y: number };
  length?: string;
  duration?: number;
  fps?: number;
  size?: string;
  width?: number;
  height?: number;
  aspect?: number;
  audio_encode?: string;
  audio_bitrate?: string;
  audio_channels?: string;
}

/**
 * A picture, video or sound: uploaded by a local account (files in storage, under keys with a
 * random part so that followers-only media cannot be guessed) or attached to a remote post (its
 * URLs kept as the remote server gave them). Unattached uploads (status_id null) are removed
 * after a day; deleting the status deletes its media rows (and, for local files, a job the files).
 */
export const mediaAttachments = pgTable(
  "media_attachments",
  {
    id: id("id").primaryKey(),
    accountId: id("account_id")
      .notNull()
      .references(() => accounts.id, { onDelete: "cascade" }),
    statusId: id("status_id").references(() => statuses.id, { onDelete: "cascade" }),
    /** Attached to a post scheduled for later; the clean-up of unattached uploads skips it. */
    scheduledStatusId: id("scheduled_status_id").references(() => scheduledStatuses.id, {
      onDelete: "set null",
    }),
    /** Order within the status (0..3). */
    position: integer("position").notNull().default(0),
    type: text("type", { enum: mediaTypes }).notNull(),
    state: text("state", { enum: mediaStates }).notNull().default("ready"),
    /** The type read from the bytes (local) or the one the remote server declared. */
    contentType: text("content_type"),
    fileSize: integer("file_size"),
    /** Storage keys of local files; the upload as received is kept until processed. */
    uploadKey: text("upload_key"),
    fileKey: text("file_key"),
    previewKey: text("preview_key"),
    /** What clients are given: our files' public URLs, or a remote server's own for its media. */
    url: text("url"),
    previewUrl: text("preview_url"),
    /** For remote media: the URL the remote server gave (null for local uploads). */
    remoteUrl: text("remote_url"),
    /** Alt text. */
    description: text("description"),
    blurhash: text("blurhash"),
    meta: jsonb("meta").$type<MediaMeta>().notNull().default({}),
    /** Why processing failed (shown to the uploader). */
    error: text("error"),
    /**
     * Remote media only: when the copy made here (fileKey, previewKey) was stored. Copies older
     * than REMOTE_MEDIA_CACHE_DAYS are deleted and the row points at the remote file again.
     */
    cachedAt: tstz("cached_at"),
    createdAt: createdAt(),
    updatedAt: tstz("updated_at").notNull().defaultNow(),
  },
  (t) => [
    index("media_attachments_status_idx").on(t.statusId, t.position),
    // The daily clean-up walks only the unattached uploads.
    index("media_attachments_unattached_idx").on(t.createdAt).where(sql`${t.statusId} is null`),
    // The cache pruning walks only the remote copies.
    index("media_attachments_cached_idx").on(t.cachedAt).where(sql`${t.cachedAt} is not null`),
    // Publishing or cancelling a scheduled post sets its media's reference null (the foreign key).
    index("media_attachments_scheduled_idx")
      .on(t.scheduledStatusId)
      .where(sql`${t.scheduledStatusId} is not null`),
  ],
);
