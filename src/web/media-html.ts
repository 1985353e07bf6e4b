/**
 * Attachments on the public pages: pictures with their alt text (linking to the full file),
 * players for video, gifv and sound. Sensitive media are folded until the reader opens them.
 * URLs are only http(s) (remote ones were checked on arrival, and again here); text is escaped.
 */
import { escapeHtml } from "../lib/html.ts";
import type { Media } from "../services/media/media.ts";
import { safeUrl } from "./layout.ts";

function one(media: Media): string {
  const url = safeUrl(media.url);
  if (media.state !== "ready" || !url) return "";
  const src = escapeHtml(url);
  const alt = escapeHtml(media.description ?? "");
  const poster = safeUrl(media.previewUrl);
  const posterAttr = poster ? ` poster="${escapeHtml(poster)}"` : "";
  const size = media.meta.small ?? media.meta.original;
  const dims = size?.width && size.height ? ` width="${size.width}" height="${size.height}"` : "";
  const label = alt ? ` aria-label="${alt}" title="${alt}"` : "";
  switch (media.type) {
    case "video":
      return `<video controls preload="none" src="${src}"${posterAttr}${dims}${label}></video>`;
    case "gifv":
      return `<video autoplay loop muted playsinline src="${src}"${posterAttr}${dims}${label}></video>`;
    case "audio":
      return `<audio controls preload="none" src="${src}"${label}></audio>`;
    default: {
      const preview = escapeHtml(poster ?? url);
      return `<a href="${src}" rel="nofollow noopener noreferrer"><img src="${preview}" alt="${alt}" loading="lazy"${dims}></a>`;
    }
  }
}

/** The attachments of a post, in order, or nothing. */
export function mediaHtml(media: Media[], sensitive: boolean): string {
  const items = media.map(one).filter(Boolean);
  if (items.length === 0) return "";
  const block = `<div class="media">${items.join("")}</div>`;
  return sensitive
    ? `<details class="sensitive"><summary>Sensitive media</summary>${block}</details>`
    : block;
}
