import { encode } from "blurhash";
import type { Metadata } from "sharp";
import type { MediaMeta } from "../../db/schema/media.ts";
import { AppError } from "../../lib/errors.ts";

/**
 * sharp (libvips, some 20 MB resident) is loaded at the first picture handled: a process that
 * handles none never maps it.
 */
export const loadSharp = async () => (await import("sharp")).default;

/** Mastodon's caps: originals are scaled down to 8.3 MP (3840×2160), previews to 640×360's area. */
export const ORIGINAL_MAX_PIXELS = 3840 * 2160;
export const PREVIEW_MAX_PIXELS = 640 * 360;
/**
 * Anything larger is refused before decoding: a 50,000 × 50,000 PNG of a few kilobytes would
 * otherwise take gigabytes to decode (a decompression bomb). Phone cameras stay far below it.
 */
export const INPUT_MAX_PIXELS = 120_000_000;

export interface ProcessedImage {
  original: { bytes: Uint8Array; contentType: string; extension: string };
  preview: { bytes: Uint8Array; contentType: string; extension: string };
  meta: MediaMeta;
  blurhash: string;
}

type Format = "jpeg" | "png" | "gif" | "webp" | "heif";

/** What a picture is stored as: formats browsers show everywhere (HEIC/AVIF become JPEG). */
const OUTPUT: Record<Format, { format: "jpeg" | "png" | "gif" | "webp"; mime: string }> = {
  jpeg: { format: "jpeg", mime: "image/jpeg" },
  png: { format: "png", mime: "image/png" },
  gif: { format: "gif", mime: "image/gif" },
  webp: { format: "webp", mime: "image/webp" },
  heif: { format: "jpeg", mime: "image/jpeg" },
};

export const sizeMeta = (width: number, height: number) => ({
  width,
  height,
  size: `${width}x${height}`,
  aspect: width / height,
});

/** Width and height scaled to at most `maxPixels`, keeping the aspect. */
export function within(width: number, height: number, maxPixels: number) {
  const scale = Math.min(1, Math.sqrt(maxPixels / (width * height)));
  return {
    width: Math.max(1, Math.floor(width * scale)),
    height: Math.max(1, Math.floor(height * scale)),
  };
}

/** Width and height the picture will have once its EXIF orientation is applied, or a 422. */
export async function probeImage(
  bytes: Uint8Array,
): Promise<{ width: number; height: number; pages: number }> {
  let meta: Metadata;
  try {
    const sharp = await loadSharp();
    meta = await sharp(bytes, { limitInputPixels: false }).metadata();
  } catch (error) {
    throw new AppError(422, "Validation failed: the file is not a readable image", error);
  }
  if (!meta.width || !meta.height)
    throw new AppError(422, "Validation failed: the image has no size");
  if (meta.width * meta.height > INPUT_MAX_PIXELS)
    throw new AppError(
      422,
      `Validation failed: the image is ${meta.width}×${meta.height} pixels, more than the ${INPUT_MAX_PIXELS} allowed`,
    );
  const swapped = (meta.orientation ?? 1) >= 5;
  return {
    width: swapped ? meta.height : meta.width,
    height: swapped ? meta.width : meta.height,
    pages: meta.pages ?? 1,
  };
}

/**
 * Decodes, orients (EXIF rotation applied to the pixels), scales to Mastodon's caps and
 * re-encodes without metadata (sharp writes no EXIF, so no GPS position leaves the server), then
 * makes the preview and its blurhash. A corrupt or truncated file is a 422, never a crash.
 */
export async function processImage(
  bytes: Uint8Array,
  format: Format,
  focus?: { x: number; y: number },
): Promise<ProcessedImage> {
  const probed = await probeImage(bytes);
  const animated = format === "gif" && probed.pages > 1;
  // For an animated GIF, sharp reports (and resizes) the size of one frame.
  const target = within(probed.width, probed.height, ORIGINAL_MAX_PIXELS);
  const previewSize = within(target.width, target.height, PREVIEW_MAX_PIXELS);
  const out = OUTPUT[format];
  const sharp = await loadSharp();
  try {
    const input = () => sharp(bytes, { limitInputPixels: INPUT_MAX_PIXELS, animated }).rotate();
    const original = await input()
      .resize(target.width, target.height, { fit: "fill" })
      .toFormat(out.format)
      .toBuffer();
    const { preview, blurhash } = await makePreview(bytes, previewSize);
    return {
      original: { bytes: new Uint8Array(original), contentType: out.mime, extension: out.format },
      preview,
      meta: {
        original: sizeMeta(target.width, target.height),
        small: sizeMeta(previewSize.width, previewSize.height),
        ...(focus ? { focus } : {}),
      },
      blurhash,
    };
  } catch (error) {
    if (error instanceof AppError) throw error;
    throw new AppError(422, "Validation failed: the image is corrupt or truncated", error);
  }
}

/**
 * The preview of a picture (its first frame, oriented, as a JPEG on white: clients show it while
 * loading) at `size`, and the blurhash of it. Also used for the first frame of a video.
 */
export async function makePreview(
  bytes: Uint8Array,
  size: { width: number; height: number },
): Promise<{ preview: ProcessedImage["preview"]; blurhash: string }> {
  const sharp = await loadSharp();
  const preview = await sharp(bytes, { limitInputPixels: INPUT_MAX_PIXELS })
    .rotate()
    .resize(size.width, size.height, { fit: "fill" })
    .flatten({ background: "#ffffff" })
    .jpeg({ quality: 80 })
    .toBuffer();
  const tiny = await sharp(preview)
    .resize(32, 32, { fit: "inside" })
    .ensureAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  const blurhash = encode(
    new Uint8ClampedArray(tiny.data),
    tiny.info.width,
    tiny.info.height,
    4,
    4,
  );
  return {
    preview: { bytes: new Uint8Array(preview), contentType: "image/jpeg", extension: "jpeg" },
    blurhash,
  };
}

/** Mastodon's boxes for profile pictures. */
export const AVATAR_BOX = { width: 400, height: 400 };
export const HEADER_BOX = { width: 1500, height: 500 };

/**
 * An avatar (Mastodon: 400×400) or header (1500×500), cropped to fill that box around the centre
 * (never enlarged), oriented, without metadata; PNG when it has transparency, JPEG otherwise.
 */
export async function processProfileImage(
  bytes: Uint8Array,
  box: { width: number; height: number },
): Promise<{ bytes: Uint8Array; contentType: string; extension: string }> {
  await probeImage(bytes);
  const sharp = await loadSharp();
  try {
    const image = sharp(bytes, { limitInputPixels: INPUT_MAX_PIXELS }).rotate();
    const { hasAlpha } = await image.metadata();
    const resized = image.resize(box.width, box.height, { fit: "cover", withoutEnlargement: true });
    const out = hasAlpha ? await resized.png().toBuffer() : await resized.jpeg().toBuffer();
    return hasAlpha
      ? { bytes: new Uint8Array(out), contentType: "image/png", extension: "png" }
      : { bytes: new Uint8Array(out), contentType: "image/jpeg", extension: "jpeg" };
  } catch (error) {
    throw new AppError(422, "Validation failed: the image is corrupt or truncated", error);
  }
}
