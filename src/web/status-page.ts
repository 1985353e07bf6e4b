/**
 * One post as a web page, and the post markup the profile page reuses. Post content is
 * sanitized HTML (ours or cleaned on arrival) and goes in as is; every other string is escaped.
 */
import { escapeHtml, htmlToPlainText } from "../lib/html.ts";
import type { Account } from "../services/accounts/accounts.ts";
import { type StatusBundle, shownSensitive } from "../services/statuses/types.ts";
import { oembedLink } from "./embed.ts";
import { layout, openGraph, safeUrl, timeTag, truncate } from "./layout.ts";
import { mediaHtml } from "./media-html.ts";
import { defaultAvatarUrl } from "./static.ts";

export interface SiteInfo {
  publicUrl: string;
  host: string;
}

export const displayNameOf = (account: Account) => account.displayName.trim() || account.username;
export const handleOf = (account: Account, host: string) =>
  `@${account.username}@${account.domain ?? host}`;
export const profileUrlOf = (account: Account, site: SiteInfo) =>
  safeUrl(account.url) ?? `${site.publicUrl}/@${account.username}`;
export const avatarOf = (account: Account, site: SiteInfo) =>
  safeUrl(account.avatarCacheUrl ?? account.avatarUrl) ?? defaultAvatarUrl(site.publicUrl);

/** The link to a post's own page: its human URL, falling back to its id. */
const statusUrlOf = (bundle: StatusBundle, site: SiteInfo) =>
  safeUrl(bundle.status.url) ?? `${site.publicUrl}/@${bundle.account.username}/${bundle.status.id}`;

/**
 * Content behind a content warning is folded in a <details>, as Mastodon's web UI folds it:
 * the warning is readable without opening it, the post only when the reader chooses to.
 */
export function statusContent(bundle: StatusBundle): string {
  const { status } = bundle;
  const lang = status.language ? ` lang="${escapeHtml(status.language)}"` : "";
  // Behind a content warning the media are folded with the text, else on their own if sensitive.
  const content = `<div class="content"${lang}>${status.content}</div>${mediaHtml(bundle.media, shownSensitive(bundle) && !status.spoilerText)}`;
  if (!status.spoilerText) return content;
  return `<details><summary>${escapeHtml(status.spoilerText)}</summary>${content}</details>`;
}

/** Time (linking to the post's page), edit mark and reply context under a post. */
function statusMeta(bundle: StatusBundle, site: SiteInfo): string {
  const { status } = bundle;
  const parts = [
    `<a href="${escapeHtml(statusUrlOf(bundle, site))}">${timeTag(status.createdAt)}</a>`,
  ];
  if (status.editedAt) parts.push(`<span>edited ${timeTag(status.editedAt)}</span>`);
  const parent = safeUrl(status.inReplyToUri);
  if (parent)
    parts.push(
      `<a href="${escapeHtml(parent)}" rel="nofollow noopener noreferrer">in reply to</a>`,
    );
  if (status.visibility === "unlisted") parts.push("<span>unlisted</span>");
  return `<div class="meta">${parts.join("")}</div>`;
}

/** A post as an item of a list (the profile page): the author is the page's subject. */
export function statusListItem(bundle: StatusBundle, site: SiteInfo): string {
  return `<article class="card h-entry">${statusContent(bundle)}${statusMeta(bundle, site)}</article>`;
}

/** The author block: avatar, name and handle, linking to the profile. */
export function authorBlock(account: Account, site: SiteInfo, small: boolean): string {
  const url = escapeHtml(profileUrlOf(account, site));
  return `<div class="who${small ? " small" : ""}">
<a href="${url}"><img src="${escapeHtml(avatarOf(account, site))}" alt="" width="64" height="64"></a>
<div><a class="name" href="${url}">${escapeHtml(displayNameOf(account))}</a><div class="handle">${escapeHtml(handleOf(account, site.host))}</div></div>
</div>`;
}

/**
 * Mastodon 4.3's author attribution: sites that unfurl a link (Mastodon itself among them) show
 * "by @alice@host", linked to the account, for pages naming their fediverse author like this.
 */
export const creatorMeta = (account: Account, site: SiteInfo) =>
  `<meta name="fediverse:creator" content="${escapeHtml(handleOf(account, site.host).slice(1))}">`;

/** What a link preview shows: the warning instead of the text when there is one. */
export function statusDescription(bundle: StatusBundle): string {
  const { status } = bundle;
  if (status.spoilerText) return truncate(`Content warning: ${status.spoilerText}`, 300);
  return truncate(htmlToPlainText(status.content), 300);
}

export function renderStatusPage(bundle: StatusBundle, site: SiteInfo): string {
  const { account, status } = bundle;
  const name = displayNameOf(account);
  const handle = handleOf(account, site.host);
  const title = `${name} (${handle})`;
  const description = statusDescription(bundle);
  const url = statusUrlOf(bundle, site);
  const head = [
    `<link rel="alternate" type="application/activity+json" href="${escapeHtml(status.uri)}">`,
    `<link rel="canonical" href="${escapeHtml(url)}">`,
    `<meta name="description" content="${escapeHtml(description)}">`,
    creatorMeta(account, site),
    oembedLink(url, site),
    openGraph({
      "og:site_name": site.host,
      "og:type": "article",
      "og:title": status.title ?? title,
      "og:description": description,
      "og:url": url,
      // The first picture, unless it is hidden behind a warning; else the author's avatar.
      "og:image":
        (!shownSensitive(bundle) &&
          bundle.media.find((m) => m.type === "image" && m.state === "ready")?.previewUrl) ||
        avatarOf(account, site),
      "article:published_time": status.createdAt.toISOString(),
    }),
  ].join("\n");
  const body = `<article class="card h-entry">
${authorBlock(account, site, true)}
${statusContent(bundle)}
${statusMeta(bundle, site)}
</article>
<p><a href="${escapeHtml(profileUrlOf(account, site))}">More posts by ${escapeHtml(name)}</a></p>`;
  return layout({ title: `${title}: ${truncate(description, 60)}`, head, body, host: site.host });
}
