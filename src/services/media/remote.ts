import { and, eq, inArray, isNotNull, isNull, lt, or } from "drizzle-orm";
import type { Config } from "../../config/index.ts";
import type { Db, Tx } from "../../db/client.ts";
import { accounts, mediaAttachments } from "../../db/schema/index.ts";
import type { MediaType } from "../../db/schema/media.ts";
import { fetchCapped } from "../../lib/fetch-capped.ts";
import { newId } from "../../lib/ids.ts";
import { logger } from "../../lib/logger.ts";
import { mediaStorage } from "../../lib/storage/index.ts";
import { enqueueJob } from "../jobs.ts";
import type { RemoteMediaData } from "../statuses/remote.ts";
import { AVATAR_BOX, HEADER_BOX, processProfileImage } from "./image.ts";
import {
  fileKeysOf,
  IMAGE_MAX_BYTES,
  processUpload,
  storageKey,
  storeProcessed,
  VIDEO_MAX_BYTES,
} from "./media.ts";
import { mediaRejectedFor } from "./rejected-domains.ts";
import { sniff } from "./sniff.ts";
import { hasFfmpeg } from "./video.ts";

const log = logger("media", "remote");

/**
 * Remote media: kept as links to the remote files, and copied here by a job (a preview and
 * blurhash made here, the copy served from our storage) while REMOTE_MEDIA_CACHE_DAYS is not 0.
 * A file over Mastodon's size limits, slow, missing or unreadable stays a link and is not tried
 * again. Copies older than the setting are deleted and the rows point at the remote files again.
 */

/** How many copies one prune pass gives back at most (it runs hourly). */
const PRUNE_BATCH = 500;

/**
 * Sets the attachments of a stored remote post to `media`, in the post's transaction. Rows of
 * files the post still has are kept (with their copies), only their order, alt text and sizes
 * change; a repeated Create or an Update no longer re-inserts them every time.
 */
export async function syncRemoteMedia(
  tx: Tx,
  statusId: string,
  accountId: string,
  media: RemoteMediaData[],
): Promise<void> {
  const current = await tx
    .select()
    .from(mediaAttachments)
    .where(eq(mediaAttachments.statusId, statusId));
  const wanted = new Map(media.map((m, position) => [m.url, { ...m, position }]));
  const gone = current.filter((row) => !row.remoteUrl || !wanted.has(row.remoteUrl));
  if (gone.length) {
    await tx.delete(mediaAttachments).where(
      inArray(
        mediaAttachments.id,
        gone.map((g) => g.id),
      ),
    );
    const keys = fileKeysOf(gone);
    if (keys.length) await enqueueJob(tx, { type: "media.delete_files", keys });
  }
  const kept = new Map(
    current.filter((row) => !gone.includes(row)).map((row) => [row.remoteUrl!, row]),
  );
  // reject_media: kept as links only (`unknown`, no URL of ours, nothing fetched).
  const rejected = wanted.size > kept.size && (await mediaRejectedFor(tx, accountId));
  for (const m of wanted.values()) {
    const row = kept.get(m.url);
    if (row) {
      // The copy's own sizes stay; the remote alt text and order win.
      await tx
        .update(mediaAttachments)
        .set({
          position: m.position,
          description: m.description,
          meta: row.cachedAt ? row.meta : m.meta,
          updatedAt: new Date(),
        })
        .where(eq(mediaAttachments.id, row.id));
      continue;
    }
    const id = newId();
    await tx.insert(mediaAttachments).values({
      id,
      accountId,
      statusId,
      position: m.position,
      type: rejected ? "unknown" : m.type,
      contentType: m.contentType,
      url: rejected ? null : m.url,
      remoteUrl: m.url,
      description: m.description,
      meta: m.meta,
    });
    if (!rejected) await enqueueJob(tx, { type: "media.cache_remote", mediaId: id });
  }
}

/** Deletes the media rows of these statuses (before the statuses go) and queues their files. */
export async function deleteMediaOfStatuses(tx: Tx, statusIds: string[]): Promise<void> {
  if (statusIds.length === 0) return;
  const gone = await tx
    .delete(mediaAttachments)
    .where(inArray(mediaAttachments.statusId, statusIds))
    .returning();
  const keys = fileKeysOf(gone);
  if (keys.length) await enqueueJob(tx, { type: "media.delete_files", keys });
}

/** Queues the files of everything an account going away has here: media and picture copies. */
export async function deleteFilesOfAccount(tx: Tx, accountId: string): Promise<void> {
  const media = await tx
    .select({
      uploadKey: mediaAttachments.uploadKey,
      fileKey: mediaAttachments.fileKey,
      previewKey: mediaAttachments.previewKey,
    })
    .from(mediaAttachments)
    .where(eq(mediaAttachments.accountId, accountId));
  const [account] = await tx
    .select({ avatar: accounts.avatarCacheKey, header: accounts.headerCacheKey })
    .from(accounts)
    .where(eq(accounts.id, accountId));
  const keys = [
    ...fileKeysOf(media),
    ...[account?.avatar, account?.header].filter((k): k is string => !!k),
  ];
  if (keys.length) await enqueueJob(tx, { type: "media.delete_files", keys });
}

/** The `media.cache_remote` job. Gives up (keeps the link) rather than throw: no retries. */
export async function cacheRemoteMedia(db: Db, config: Config, mediaId: string): Promise<void> {
  if (config.remoteMediaCacheDays === 0) return;
  const [media] = await db
    .select()
    .from(mediaAttachments)
    .where(and(eq(mediaAttachments.id, mediaId), isNull(mediaAttachments.fileKey)));
  if (!media?.remoteUrl || (await mediaRejectedFor(db, media.accountId))) return;
  const giveUp = (why: string) =>
    log.info("Remote media {url} stays a link: {why}", { url: media.remoteUrl, why });
  const fetched = await fetchCapped(
    media.remoteUrl,
    media.type === "image" ? IMAGE_MAX_BYTES : VIDEO_MAX_BYTES,
  );
  if ("error" in fetched) return giveUp(fetched.error);
  const sniffed = sniff(fetched.bytes);
  if (!sniffed) return giveUp("not a picture, video or sound");
  if (sniffed.kind !== "image" && !(await hasFfmpeg())) return giveUp("no ffmpeg here");
  if (sniffed.kind === "image" && fetched.bytes.byteLength > IMAGE_MAX_BYTES)
    return giveUp("picture over 16 MiB");
  let files: Awaited<ReturnType<typeof storeProcessed>>;
  let type: MediaType;
  try {
    const processed = await processUpload(
      fetched.bytes,
      sniffed.kind === "image" ? "image" : sniffed.kind,
      media.meta.focus,
    );
    type = processed.type;
    files = await storeProcessed(config, processed);
  } catch (error) {
    return giveUp(error instanceof Error ? error.message : String(error));
  }
  const updated = await db
    .update(mediaAttachments)
    .set({
      ...files,
      type,
      meta: { ...files.meta, ...(media.meta.focus ? { focus: media.meta.focus } : {}) },
      cachedAt: new Date(),
      updatedAt: new Date(),
    })
    .where(and(eq(mediaAttachments.id, mediaId), isNull(mediaAttachments.fileKey)))
    .returning({ id: mediaAttachments.id });
  // The post was deleted or edited meanwhile: the copy belongs to nobody.
  if (updated.length === 0)
    await mediaStorage(config).delete(fileKeysOf([{ ...files, uploadKey: null }]));
}

/**
 * After a remote actor was stored or refreshed (`before`: the row as it was): its pictures are
 * copied by a job when they changed, or when they were never tried.
 */
export async function queueProfileImageCache(
  db: Db,
  before: {
    avatarUrl: string | null;
    headerUrl: string | null;
    imagesCachedAt: Date | null;
  } | null,
  after: { id: string; avatarUrl: string | null; headerUrl: string | null } | undefined,
): Promise<void> {
  if (!after || (!after.avatarUrl && !after.headerUrl)) return;
  const changed =
    !before ||
    before.imagesCachedAt === null ||
    before.avatarUrl !== after.avatarUrl ||
    before.headerUrl !== after.headerUrl;
  if (changed) await enqueueJob(db, { type: "account.cache_images", accountId: after.id });
}

/** The `account.cache_images` job: copies a remote account's avatar and header (400², 1500×500). */
export async function cacheRemoteProfileImages(
  db: Db,
  config: Config,
  accountId: string,
): Promise<void> {
  if (config.remoteMediaCacheDays === 0) return;
  const [account] = await db.select().from(accounts).where(eq(accounts.id, accountId));
  if (!account?.domain || (await mediaRejectedFor(db, accountId))) return;
  const storage = mediaStorage(config);
  const copy = async (url: string | null, kind: "avatar" | "header") => {
    if (!url) return null;
    const fetched = await fetchCapped(url, IMAGE_MAX_BYTES, "image/*");
    if ("error" in fetched || sniff(fetched.bytes)?.kind !== "image") return null;
    try {
      const image = await processProfileImage(
        fetched.bytes,
        kind === "avatar" ? AVATAR_BOX : HEADER_BOX,
      );
      const key = storageKey(kind, image.extension);
      await storage.put(key, image.bytes, image.contentType);
      return { key, url: storage.url(key) };
    } catch {
      return null;
    }
  };
  const [avatar, header] = [
    await copy(account.avatarUrl, "avatar"),
    await copy(account.headerUrl, "header"),
  ];
  // Only if the pictures did not change again meanwhile (a newer job copies those).
  const updated = await db
    .update(accounts)
    .set({
      avatarCacheKey: avatar?.key ?? null,
      avatarCacheUrl: avatar?.url ?? null,
      headerCacheKey: header?.key ?? null,
      headerCacheUrl: header?.url ?? null,
      imagesCachedAt: new Date(),
    })
    .where(
      and(
        eq(accounts.id, accountId),
        account.avatarUrl ? eq(accounts.avatarUrl, account.avatarUrl) : isNull(accounts.avatarUrl),
        account.headerUrl ? eq(accounts.headerUrl, account.headerUrl) : isNull(accounts.headerUrl),
      ),
    )
    .returning({ id: accounts.id });
  const stale = updated.length
    ? [account.avatarCacheKey, account.headerCacheKey]
    : [avatar?.key, header?.key];
  const keys = stale.filter((k): k is string => !!k);
  if (keys.length) await storage.delete(keys);
}

/**
 * Deletes copies older than REMOTE_MEDIA_CACHE_DAYS (run hourly by the worker): the rows point at
 * the remote files again. Returns how many media and accounts were given back.
 */
export async function pruneRemoteMediaCache(
  db: Db,
  config: Config,
  now = new Date(),
): Promise<{ media: number; accounts: number }> {
  if (config.remoteMediaCacheDays === 0) return { media: 0, accounts: 0 };
  const cutoff = new Date(now.getTime() - config.remoteMediaCacheDays * 86_400_000);
  return db.transaction(async (tx) => {
    const media = await tx
      .select()
      .from(mediaAttachments)
      .where(and(isNotNull(mediaAttachments.cachedAt), lt(mediaAttachments.cachedAt, cutoff)))
      .limit(PRUNE_BATCH)
      .for("update", { skipLocked: true });
    for (const m of media)
      await tx
        .update(mediaAttachments)
        .set({
          url: m.remoteUrl,
          previewUrl: null,
          fileKey: null,
          previewKey: null,
          cachedAt: null,
          updatedAt: new Date(),
        })
        .where(eq(mediaAttachments.id, m.id));
    const pictures = await tx
      .select({
        id: accounts.id,
        avatar: accounts.avatarCacheKey,
        header: accounts.headerCacheKey,
      })
      .from(accounts)
      .where(
        and(
          or(isNotNull(accounts.avatarCacheKey), isNotNull(accounts.headerCacheKey)),
          lt(accounts.imagesCachedAt, cutoff),
        ),
      )
      .limit(PRUNE_BATCH);
    const keys = [...fileKeysOf(media), ...(await forgetProfileImageCopies(tx, pictures))];
    if (keys.length) await enqueueJob(tx, { type: "media.delete_files", keys });
    return { media: media.length, accounts: pictures.length };
  });
}

/**
 * Points remote accounts back at their own avatar and header files; returns the storage keys of
 * the copies made here, for the caller to queue their deletion in the same transaction.
 */
export async function forgetProfileImageCopies(
  tx: Tx,
  pictures: { id: string; avatar: string | null; header: string | null }[],
): Promise<string[]> {
  if (pictures.length === 0) return [];
  await tx
    .update(accounts)
    .set({ avatarCacheKey: null, avatarCacheUrl: null, headerCacheKey: null, headerCacheUrl: null })
    .where(
      inArray(
        accounts.id,
        pictures.map((p) => p.id),
      ),
    );
  return pictures.flatMap((p) => [p.avatar, p.header]).filter((k): k is string => !!k);
}
