import { type Object as APObject, Audio, Document, Image, Link, Video } from "@fedify/vocab";
import type { MediaType } from "../../db/schema/media.ts";
import type { RemoteMediaData } from "../../services/statuses/remote.ts";

/**
 * What one remote post may make us store: Mastodon shows at most 4 attachments, peers that send
 * more are cut there (the inbox guard already refuses arrays of over 500 items, and only this
 * many are even looked at).
 */
export const MAX_REMOTE_ATTACHMENTS = 4;
const MAX_READ = 20;
const MAX_URL_LENGTH = 2048;
const MAX_DESCRIPTION_CHARS = 1500;
const MAX_DIMENSION = 100_000;

/** Embedded attachments only: every server embeds its Document objects, none is fetched. */
const noFetch = async (url: string): Promise<never> => {
  throw new Error(`not fetching attachment ${url}`);
};

/** Only http(s) URLs: a `javascript:` or `data:` URL would run or hide in a client's <img>. */
function safeUrl(value: URL | Link | null | undefined): string | null {
  const url = value instanceof URL ? value : value instanceof Link ? value.href : null;
  if (!url || (url.protocol !== "https:" && url.protocol !== "http:")) return null;
  return url.href.length <= MAX_URL_LENGTH ? url.href : null;
}

function typeOf(object: APObject, mediaType: string | null): MediaType {
  const major = mediaType?.split("/")[0];
  if (object instanceof Image || major === "image") return "image";
  if (object instanceof Video || major === "video") return "video";
  if (object instanceof Audio || major === "audio") return "audio";
  return "unknown";
}

const dimension = (n: number | null | undefined) =>
  typeof n === "number" && Number.isInteger(n) && n > 0 && n <= MAX_DIMENSION ? n : null;

/**
 * The media of a remote post (Mastodon's and GoToSocial's `Document`, Hollo's and snac's
 * `Image`, `Video`, `Audio`), kept as links to the remote files. Alt text is `name` (Hollo also
 * repeats it in `summary`); it is plain text, NUL-free and capped.
 */
export async function remoteAttachments(note: APObject): Promise<RemoteMediaData[]> {
  const out: RemoteMediaData[] = [];
  let read = 0;
  for await (const item of note.getAttachments({ suppressError: true, documentLoader: noFetch })) {
    if (++read > MAX_READ || out.length >= MAX_REMOTE_ATTACHMENTS) break;
    if (!(item instanceof Document)) continue;
    const url = safeUrl(item.url as URL | Link | null);
    if (!url) continue;
    const mediaType = item.mediaType?.slice(0, 100) ?? null;
    const width = dimension(item.width);
    const height = dimension(item.height);
    const alt = String(item.name ?? item.summary ?? "")
      .replaceAll("\u0000", "")
      .trim();
    out.push({
      type: typeOf(item, mediaType),
      url,
      contentType: mediaType,
      description: alt ? [...alt].slice(0, MAX_DESCRIPTION_CHARS).join("") : null,
      meta:
        width && height
          ? { original: { width, height, size: `${width}x${height}`, aspect: width / height } }
          : {},
    });
  }
  return out;
}
