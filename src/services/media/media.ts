import { randomBytes } from "node:crypto";
import { and, eq, isNull, lt, sql } from "drizzle-orm";
import type { Config } from "../../config/index.ts";
import type { Db, Tx } from "../../db/client.ts";
import { mediaAttachments } from "../../db/schema/index.ts";
import type { MediaMeta, MediaType } from "../../db/schema/media.ts";
import { AppError, notFound } from "../../lib/errors.ts";
import { newId } from "../../lib/ids.ts";
import { logger } from "../../lib/logger.ts";
import { mediaStorage } from "../../lib/storage/index.ts";
import { enqueueJob } from "../jobs.ts";
import { type ProcessedImage, probeImage, processImage } from "./image.ts";
import { sniff } from "./sniff.ts";
import { hasFfmpeg, kindOf, probeBytes, processAv } from "./video.ts";

const log = logger("media");

export type Media = typeof mediaAttachments.$inferSelect;

/** Mastodon's upload limits. */
export const IMAGE_MAX_BYTES = 16 * 1024 * 1024;
export const VIDEO_MAX_BYTES = 99 * 1024 * 1024;
export const DESCRIPTION_MAX_CHARS = 1500;
/** Pictures this small are processed during the request (200); larger ones by a job (202). */
const INLINE_MAX_PIXELS = 1_000_000;
/** Uploads never attached to a post are removed after this long. */
export const UNATTACHED_TTL_MS = 24 * 3_600_000;

/** Video and audio need ffmpeg to be probed and thumbnailed. */
export const NO_FFMPEG_MESSAGE =
  "Validation failed: video and audio uploads are not supported on this server (it has no ffmpeg on its PATH to probe and thumbnail them); images are";

export interface MediaInput {
  description?: string;
  focus?: { x: number; y: number };
  /** Video and audio only: a picture shown instead of the first frame (Mastodon's `thumbnail`). */
  thumbnail?: Uint8Array;
}

export const storageKey = (name: string, extension: string) =>
  `${randomBytes(16).toString("hex")}/${name}.${extension}`;

/**
 * Takes an upload. The type comes from the bytes. Small pictures are processed at once
 * (`processed: true`, for a 200); the rest are stored as received with a `media.process` job in
 * the same transaction (202 until the job is done). A file that cannot be processed is a 422 and
 * nothing is stored.
 */
export async function createMedia(
  db: Db,
  config: Config,
  accountId: string,
  bytes: Uint8Array,
  input: MediaInput,
): Promise<{ media: Media; processed: boolean }> {
  checkDescription(input.description);
  const sniffed = sniff(bytes);
  if (!sniffed)
    throw new AppError(
      422,
      "Validation failed: the file is not an image (JPEG, PNG, GIF, WebP, HEIC or AVIF), a video (MP4, MOV, WebM) or audio (MP3, Ogg, WAV, FLAC, M4A)",
    );
  if (sniffed.kind !== "image") return createAvMedia(db, config, { accountId, bytes, input });
  if (input.thumbnail)
    throw new AppError(422, "Validation failed: thumbnail is only for video and audio");
  if (bytes.byteLength > IMAGE_MAX_BYTES)
    throw new AppError(422, "Validation failed: images may be at most 16 MiB");
  const probed = await probeImage(bytes);
  // An animated GIF becomes a silent looping video (gifv), as on Mastodon, when ffmpeg is here.
  if (sniffed.format === "gif" && probed.pages > 1 && (await hasFfmpeg()))
    return queueProcessing(db, config, { accountId, bytes, input, type: "gifv" });
  const storage = mediaStorage(config);
  const id = newId();
  const base = {
    id,
    accountId,
    type: "image" as const,
    description: input.description || null,
    meta: input.focus ? { focus: input.focus } : {},
  };
  if (probed.width * probed.height <= INLINE_MAX_PIXELS && probed.pages === 1) {
    const processed = await processImage(bytes, sniffed.format, input.focus);
    const files = await storeProcessed(config, processed);
    try {
      const [media] = await db
        .insert(mediaAttachments)
        .values({ ...base, state: "ready", ...files })
        .returning();
      return { media, processed: true };
    } catch (error) {
      await storage.delete(fileKeysOf([{ ...files, uploadKey: null }])).catch(() => {});
      throw error;
    }
  }
  return queueProcessing(db, config, { accountId, bytes, input, type: "image" });
}

/**
 * Video and audio: refused without ffmpeg, over 99 MiB, or when ffprobe reads nothing playable
 * (a 422 during the request); otherwise processed by a job.
 */
async function createAvMedia(db: Db, config: Config, upload: NewUpload) {
  if (!(await hasFfmpeg())) throw new AppError(422, NO_FFMPEG_MESSAGE);
  if (upload.bytes.byteLength > VIDEO_MAX_BYTES)
    throw new AppError(422, "Validation failed: video and audio may be at most 99 MiB");
  const probe = await probeBytes(upload.bytes);
  const thumbnail = upload.input.thumbnail
    ? await storeThumbnail(config, upload.input.thumbnail)
    : undefined;
  return queueProcessing(db, config, { ...upload, type: kindOf(probe), thumbnail });
}

/** A client's thumbnail for a video or sound, made into its preview (and blurhash) at once. */
async function storeThumbnail(config: Config, bytes: Uint8Array) {
  const sniffed = sniff(bytes);
  if (sniffed?.kind !== "image" || bytes.byteLength > IMAGE_MAX_BYTES)
    throw new AppError(422, "Validation failed: thumbnail must be a picture of at most 16 MiB");
  const { preview, blurhash } = await processImage(bytes, sniffed.format);
  const storage = mediaStorage(config);
  const previewKey = storageKey("preview", preview.extension);
  await storage.put(previewKey, preview.bytes, preview.contentType);
  return { previewKey, previewUrl: storage.url(previewKey), blurhash };
}

interface NewUpload {
  accountId: string;
  bytes: Uint8Array;
  input: MediaInput;
}

/** Stores the upload as received and queues its `media.process` job (202 until done). */
async function queueProcessing(
  db: Db,
  config: Config,
  upload: NewUpload & {
    type: MediaType;
    thumbnail?: { previewKey: string; previewUrl: string; blurhash: string };
  },
): Promise<{ media: Media; processed: boolean }> {
  const storage = mediaStorage(config);
  const id = newId();
  const uploadKey = storageKey("upload", "bin");
  await storage.put(uploadKey, upload.bytes, "application/octet-stream").catch(async (error) => {
    if (upload.thumbnail) await storage.delete([upload.thumbnail.previewKey]).catch(() => {});
    throw error;
  });
  try {
    const media = await db.transaction(async (tx) => {
      const [row] = await tx
        .insert(mediaAttachments)
        .values({
          id,
          accountId: upload.accountId,
          type: upload.type,
          description: upload.input.description || null,
          meta: upload.input.focus ? { focus: upload.input.focus } : {},
          state: "pending",
          uploadKey,
          fileSize: upload.bytes.byteLength,
          ...upload.thumbnail,
        })
        .returning();
      await enqueueJob(tx, { type: "media.process", mediaId: id });
      return row;
    });
    return { media, processed: false };
  } catch (error) {
    await storage
      .delete([uploadKey, ...(upload.thumbnail ? [upload.thumbnail.previewKey] : [])])
      .catch(() => {});
    throw error;
  }
}

type StoredFile = ProcessedImage["original"];

/** Stores a processed file and its preview; what the row gets. */
export async function storeProcessed(
  config: Config,
  processed: {
    original: StoredFile;
    preview: StoredFile | null;
    blurhash: string | null;
    meta: MediaMeta;
  },
) {
  const storage = mediaStorage(config);
  const fileKey = storageKey("original", processed.original.extension);
  const previewKey = processed.preview ? storageKey("preview", processed.preview.extension) : null;
  await storage.put(fileKey, processed.original.bytes, processed.original.contentType);
  if (processed.preview && previewKey)
    await storage
      .put(previewKey, processed.preview.bytes, processed.preview.contentType)
      .catch(async (error) => {
        await storage.delete([fileKey]).catch(() => {});
        throw error;
      });
  return {
    fileKey,
    previewKey,
    url: storage.url(fileKey),
    previewUrl: previewKey ? storage.url(previewKey) : null,
    contentType: processed.original.contentType,
    fileSize: processed.original.bytes.byteLength,
    blurhash: processed.blurhash,
    meta: processed.meta,
  };
}

/** Processes the bytes of an upload of this type into what storeProcessed stores. */
export async function processUpload(
  bytes: Uint8Array,
  type: MediaType,
  focus?: MediaMeta["focus"],
) {
  if (type === "video" || type === "audio" || type === "gifv") {
    const av = await processAv(bytes, type);
    return { ...av, original: av.file, type: av.kind };
  }
  const sniffed = sniff(bytes);
  if (sniffed?.kind !== "image") throw new AppError(422, "the upload is not an image");
  return { ...(await processImage(bytes, sniffed.format, focus)), type };
}

/**
 * The `media.process` job. A file that cannot be processed is marked failed with the reason
 * (the uploader sees it; no retry). A storage error throws, so the queue retries later.
 */
export async function processPendingMedia(db: Db, config: Config, mediaId: string): Promise<void> {
  const [media] = await db
    .select()
    .from(mediaAttachments)
    .where(and(eq(mediaAttachments.id, mediaId), eq(mediaAttachments.state, "pending")));
  if (!media?.uploadKey) return;
  const storage = mediaStorage(config);
  const bytes = await storage.get(media.uploadKey);
  let files: Awaited<ReturnType<typeof storeProcessed>>;
  let type: MediaType;
  try {
    if (!bytes) throw new AppError(422, "the upload is gone");
    const processed = await processUpload(bytes, media.type, media.meta.focus);
    type = processed.type;
    // A thumbnail the client sent stays the preview (it was stored with the upload).
    files = await storeProcessed(
      config,
      media.previewKey ? { ...processed, preview: null, blurhash: media.blurhash } : processed,
    );
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    log.info("Media {id} could not be processed: {error}", { id: mediaId, error: error.message });
    await db
      .update(mediaAttachments)
      .set({ state: "failed", error: error.message, uploadKey: null, updatedAt: new Date() })
      .where(eq(mediaAttachments.id, mediaId));
    await storage.delete([media.uploadKey]);
    return;
  }
  // The focus may have been changed (PUT) while the job ran: keep the row's.
  const [current] = await db
    .select({ meta: mediaAttachments.meta })
    .from(mediaAttachments)
    .where(eq(mediaAttachments.id, mediaId));
  const focus = current?.meta.focus;
  const updated = await db
    .update(mediaAttachments)
    .set({
      ...files,
      ...(media.previewKey ? { previewKey: media.previewKey, previewUrl: media.previewUrl } : {}),
      type,
      meta: { ...files.meta, ...(focus ? { focus } : {}) },
      state: "ready",
      uploadKey: null,
      updatedAt: new Date(),
    })
    .where(and(eq(mediaAttachments.id, mediaId), eq(mediaAttachments.state, "pending")))
    .returning({ id: mediaAttachments.id });
  // Deleted meanwhile: the new files belong to nobody.
  if (updated.length === 0) await storage.delete(fileKeysOf([{ ...files, uploadKey: null }]));
  await storage.delete([media.uploadKey]);
}

/** One of the account's own uploads, or 404 (someone else's is not found either). */
export async function ownMedia(db: Tx, accountId: string, mediaId: string): Promise<Media> {
  const [media] = await db
    .select()
    .from(mediaAttachments)
    .where(and(eq(mediaAttachments.id, mediaId), eq(mediaAttachments.accountId, accountId)));
  if (!media || media.remoteUrl) throw notFound();
  return media;
}

function checkDescription(description: string | undefined) {
  if (description && [...description].length > DESCRIPTION_MAX_CHARS)
    throw new AppError(
      422,
      `Validation failed: Description is too long (maximum is ${DESCRIPTION_MAX_CHARS} characters)`,
    );
}

/** PUT /api/v1/media/:id: alt text and focus point. */
export async function updateMedia(
  db: Tx,
  accountId: string,
  mediaId: string,
  input: MediaInput,
): Promise<Media> {
  const media = await ownMedia(db, accountId, mediaId);
  checkDescription(input.description);
  const [row] = await db
    .update(mediaAttachments)
    .set({
      ...(input.description !== undefined ? { description: input.description || null } : {}),
      ...(input.focus ? { meta: { ...media.meta, focus: input.focus } } : {}),
      updatedAt: new Date(),
    })
    .where(eq(mediaAttachments.id, media.id))
    .returning();
  return row;
}

/** The storage keys of these rows' files. */
export const fileKeysOf = (rows: Pick<Media, "uploadKey" | "fileKey" | "previewKey">[]) =>
  rows.flatMap((m) => [m.uploadKey, m.fileKey, m.previewKey].filter((k): k is string => !!k));

/** DELETE /api/v1/media/:id: only an upload not attached to a post (Mastodon answers 422). */
export async function deleteMedia(db: Db, accountId: string, mediaId: string): Promise<void> {
  const media = await ownMedia(db, accountId, mediaId);
  if (media.statusId || media.scheduledStatusId)
    throw new AppError(422, "Validation failed: the media is attached to a status");
  await db.transaction(async (tx) => {
    const gone = await tx
      .delete(mediaAttachments)
      .where(
        and(
          eq(mediaAttachments.id, media.id),
          isNull(mediaAttachments.statusId),
          isNull(mediaAttachments.scheduledStatusId),
        ),
      )
      .returning();
    if (gone.length) await enqueueJob(tx, { type: "media.delete_files", keys: fileKeysOf(gone) });
  });
}

/** Removes uploads left unattached for a day, with their files (run by the worker). */
export async function sweepUnattachedMedia(db: Db, now = new Date()): Promise<number> {
  const cutoff = new Date(now.getTime() - UNATTACHED_TTL_MS);
  return db.transaction(async (tx) => {
    const gone = await tx
      .delete(mediaAttachments)
      .where(
        and(
          isNull(mediaAttachments.statusId),
          // Waiting on a scheduled post, or named by one of its owner's drafts: still wanted.
          isNull(mediaAttachments.scheduledStatusId),
          sql`not exists (select 1 from drafts d where d.account_id = ${mediaAttachments.accountId}
                and d.params->'media_ids' @> jsonb_build_array(${mediaAttachments.id}::text))`,
          lt(mediaAttachments.createdAt, cutoff),
        ),
      )
      .returning();
    const keys = fileKeysOf(gone);
    if (keys.length) await enqueueJob(tx, { type: "media.delete_files", keys });
    return gone.length;
  });
}

/** The `media.delete_files` job. */
export async function deleteMediaFiles(config: Config, keys: string[]): Promise<void> {
  await mediaStorage(config).delete(keys);
}
