import type { MediaType } from "../../../db/schema/media.ts";
import type { Media } from "../../../services/media/media.ts";

/** Mastodon's MediaAttachment entity (https://docs.joinmastodon.org/entities/MediaAttachment/). */
export interface MastodonMediaAttachment {
  id: string;
  type: MediaType;
  /** Null while the file is still being processed. */
  url: string | null;
  preview_url: string | null;
  remote_url: string | null;
  preview_remote_url: string | null;
  text_url: null;
  meta: Media["meta"] | null;
  description: string | null;
  blurhash: string | null;
}

export function serializeMedia(media: Media): MastodonMediaAttachment {
  return {
    id: media.id,
    type: media.type,
    url: media.state === "ready" ? media.url : null,
    // A picture is its own preview; a video or sound without a frame has none.
    preview_url:
      media.state === "ready"
        ? (media.previewUrl ?? (media.type === "image" ? media.url : null))
        : null,
    remote_url: media.remoteUrl,
    preview_remote_url: null,
    text_url: null,
    meta: Object.keys(media.meta).length ? media.meta : null,
    description: media.description,
    blurhash: media.blurhash,
  };
}
