/**
 * A local account's public profile: who it is, its counts and its latest public and unlisted
 * posts, paged with `?max_id=` like the Mastodon API (ids sort by time).
 */
import { escapeHtml, htmlToPlainText } from "../lib/html.ts";
import type { Account } from "../services/accounts/accounts.ts";
import type { AccountStats } from "../services/accounts/stats.ts";
import type { StatusBundle } from "../services/statuses/types.ts";
import { feedLinks } from "./feeds.ts";
import { layout, openGraph, safeUrl, truncate } from "./layout.ts";
import {
  avatarOf,
  creatorMeta,
  displayNameOf,
  handleOf,
  profileUrlOf,
  type SiteInfo,
  statusListItem,
} from "./status-page.ts";

export const PROFILE_PAGE_SIZE = 20;

export interface ProfileInput {
  account: Account;
  stats: AccountStats;
  posts: StatusBundle[];
  /** Id for the "older posts" link; undefined on the last page. */
  olderMaxId?: string;
  /** True when this is not the first page (offers a way back to the newest posts). */
  paged: boolean;
}

const plural = (n: number, one: string, many: string) =>
  `<li><strong>${n.toLocaleString("en")}</strong> ${n === 1 ? one : many}</li>`;

export function renderProfilePage(input: ProfileInput, site: SiteInfo): string {
  const { account, stats, posts } = input;
  const name = displayNameOf(account);
  const handle = handleOf(account, site.host);
  const url = profileUrlOf(account, site);
  const bio = account.note.trim();
  const description = truncate(bio ? htmlToPlainText(bio) : `${name} on ${site.host}`, 300);
  const head = [
    // Mastodon and others find the actor behind a pasted profile URL through this link.
    `<link rel="alternate" type="application/activity+json" href="${escapeHtml(account.uri)}">`,
    `<link rel="canonical" href="${escapeHtml(url)}">`,
    `<meta name="description" content="${escapeHtml(description)}">`,
    creatorMeta(account, site),
    feedLinks(`${site.publicUrl}/@${account.username}`, `${name} (${handle})`),
    openGraph({
      "og:site_name": site.host,
      "og:type": "profile",
      "og:title": `${name} (${handle})`,
      "og:description": description,
      "og:url": url,
      "og:image": avatarOf(account, site),
      "profile:username": account.username,
    }),
  ].join("\n");

  const header = safeUrl(account.headerCacheUrl ?? account.headerUrl);
  const banner = header ? `<img class="banner" src="${escapeHtml(header)}" alt="">` : "";
  const intro = `<section class="card h-card">
${banner}
<div class="who">
<img class="u-photo" src="${escapeHtml(avatarOf(account, site))}" alt="" width="64" height="64">
<div><h1 class="name p-name">${escapeHtml(name)}</h1><div class="handle">${escapeHtml(handle)}</div></div>
</div>
${bio ? `<div class="content p-note">${bio}</div>` : ""}
<ul class="stats">
${plural(stats.statuses, "post", "posts")}
${plural(stats.following, "following", "following")}
${plural(stats.followers, "follower", "followers")}
</ul>
<p class="meta">Follow from any Mastodon-compatible app: search for ${escapeHtml(handle)}</p>
</section>`;

  const list = posts.length
    ? posts.map((b) => statusListItem(b, site)).join("\n")
    : `<p class="card">${input.paged ? "No older posts." : "No public posts yet."}</p>`;

  const links: string[] = [];
  if (input.paged) links.push(`<a href="${escapeHtml(url)}">Newest posts</a>`);
  if (input.olderMaxId) {
    links.push(
      `<a rel="next" href="?max_id=${encodeURIComponent(input.olderMaxId)}">Older posts</a>`,
    );
  }
  const pager = links.length ? `<nav class="pager">${links.join("")}</nav>` : "";

  return layout({
    title: `${name} (${handle}) - ${site.host}`,
    head,
    body: `${intro}\n<section class="h-feed" aria-label="Posts">\n${list}\n</section>\n${pager}`,
    host: site.host,
  });
}
