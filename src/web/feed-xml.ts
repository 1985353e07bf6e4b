/**
 * RSS 2.0 and Atom documents for a list of posts (web/feeds.ts serves them). Every string is
 * escaped, never wrapped in CDATA: a post containing `]]>` or `<script>` stays text, and
 * characters XML 1.0 forbids (control characters a remote server may send) are dropped.
 */
import { htmlToPlainText } from "../lib/html.ts";
import { escapeXml } from "../lib/xml.ts";
import type { Media } from "../services/media/media.ts";
import type { StatusBundle } from "../services/statuses/types.ts";
import { truncate } from "./layout.ts";

export interface FeedInfo {
  title: string;
  description: string;
  /** The HTML page the feed is of (profile or tag page). */
  pageUrl: string;
  /** The feed's own URL (rss or atom). */
  selfUrl: string;
  imageUrl?: string;
}

export interface FeedItem {
  bundle: StatusBundle;
  /** The post's page. */
  url: string;
}

/** False for what XML 1.0 cannot carry: control characters, lone surrogates, U+FFFE/FFFF. */
function xmlChar(c: number): boolean {
  if (c < 0x20) return c === 0x09 || c === 0x0a || c === 0x0d;
  return !(c === 0xfffe || c === 0xffff || (c >= 0xd800 && c <= 0xdfff));
}

const xmlSafe = (s: string) => {
  let out = "";
  // Iterating by code point: a valid pair is one character, a lone surrogate is one too.
  for (const ch of s) if (xmlChar(ch.codePointAt(0)!)) out += ch;
  return out;
};

/** Text for an XML element or attribute: invalid characters dropped, markup escaped. */
const x = (s: string) => escapeXml(xmlSafe(s));

/** A titled post's title; else the opening words, so feed readers list something readable. */
function itemTitle(bundle: StatusBundle): string {
  const { status } = bundle;
  if (status.title) return status.title;
  if (status.spoilerText) return truncate(`Content warning: ${status.spoilerText}`, 100);
  const text = htmlToPlainText(status.content);
  if (text.trim()) return truncate(text, 100);
  return bundle.media.length ? "Media post" : "Post";
}

/** The post as HTML for a reader: its content warning first, as a line of its own. */
function itemHtml(bundle: StatusBundle): string {
  const { status } = bundle;
  const cw = status.spoilerText
    ? `<p><strong>Content warning:</strong> ${escapeXml(status.spoilerText)}</p>`
    : "";
  return cw + status.content;
}

/** Processed files, with a type (a remote file may lack one). */
const readyMedia = (bundle: StatusBundle): (Media & { contentType: string })[] =>
  bundle.media
    .filter((m) => m.state === "ready" && m.url)
    .map((m) => ({ ...m, contentType: m.contentType ?? "application/octet-stream" }));

const mediumOf = (type: string) =>
  type.startsWith("image/") ? "image" : type.startsWith("video/") ? "video" : "audio";

export function renderRss(feed: FeedInfo, items: FeedItem[]): string {
  const built = items[0]?.bundle.status.createdAt ?? new Date();
  const entries = items.map(({ bundle, url }) => {
    const media = readyMedia(bundle);
    // RSS has one enclosure per item: the first file; Media RSS lists them all.
    const first = media[0];
    const enclosure = first
      ? `<enclosure url="${x(first.url!)}" length="${first.fileSize ?? 0}" type="${x(first.contentType)}"/>`
      : "";
    const mediaContent = media
      .map(
        (m) =>
          `<media:content url="${x(m.url!)}" type="${x(m.contentType)}" medium="${mediumOf(m.contentType)}"${m.fileSize ? ` fileSize="${m.fileSize}"` : ""}>${m.description ? `<media:description type="plain">${x(m.description)}</media:description>` : ""}</media:content>`,
      )
      .join("");
    return `<item>
<guid isPermaLink="true">${x(url)}</guid>
<link>${x(url)}</link>
<title>${x(itemTitle(bundle))}</title>
<pubDate>${bundle.status.createdAt.toUTCString()}</pubDate>
<description>${x(itemHtml(bundle))}</description>
${enclosure}${mediaContent}${bundle.tags.map((t) => `<category>${x(t)}</category>`).join("")}
</item>`;
  });
  const image = feed.imageUrl
    ? `<image><url>${x(feed.imageUrl)}</url><title>${x(feed.title)}</title><link>${x(feed.pageUrl)}</link></image>`
    : "";
  return `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom" xmlns:media="http://search.yahoo.com/mrss/">
<channel>
<title>${x(feed.title)}</title>
<description>${x(feed.description)}</description>
<link>${x(feed.pageUrl)}</link>
<atom:link href="${x(feed.selfUrl)}" rel="self" type="application/rss+xml"/>
${image}
<lastBuildDate>${built.toUTCString()}</lastBuildDate>
<generator>Tern</generator>
${entries.join("\n")}
</channel>
</rss>
`;
}

export function renderAtom(feed: FeedInfo, items: FeedItem[]): string {
  const updated = items[0]?.bundle.status.createdAt ?? new Date();
  const entries = items.map(({ bundle, url }) => {
    const { status } = bundle;
    const enclosures = readyMedia(bundle)
      .map(
        (m) =>
          `<link rel="enclosure" href="${x(m.url!)}" type="${x(m.contentType)}"${m.fileSize ? ` length="${m.fileSize}"` : ""}${m.description ? ` title="${x(m.description)}"` : ""}/>`,
      )
      .join("");
    return `<entry>
<id>${x(status.uri)}</id>
<title>${x(itemTitle(bundle))}</title>
<published>${status.createdAt.toISOString()}</published>
<updated>${(status.editedAt ?? status.createdAt).toISOString()}</updated>
<link rel="alternate" type="text/html" href="${x(url)}"/>
<author><name>${x(bundle.account.displayName.trim() || bundle.account.username)}</name><uri>${x(bundle.account.url ?? bundle.account.uri)}</uri></author>
<content type="html">${x(itemHtml(bundle))}</content>
${enclosures}${bundle.tags.map((t) => `<category term="${x(t)}"/>`).join("")}
</entry>`;
  });
  return `<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
<id>${x(feed.selfUrl)}</id>
<title>${x(feed.title)}</title>
<subtitle>${x(feed.description)}</subtitle>
<updated>${updated.toISOString()}</updated>
<link rel="alternate" type="text/html" href="${x(feed.pageUrl)}"/>
<link rel="self" type="application/atom+xml" href="${x(feed.selfUrl)}"/>
${feed.imageUrl ? `<icon>${x(feed.imageUrl)}</icon>` : ""}
<generator>Tern</generator>
${entries.join("\n")}
</feed>
`;
}
