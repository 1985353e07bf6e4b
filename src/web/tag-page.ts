/**
 * The public page of a hashtag, `/tags/:name` (the `url` of every Tag we hand out): the latest
 * public posts carrying it, local and remote, paged with `?max_id=` like the profile page.
 */
import type { Context, Hono } from "hono";
import type { AppDeps } from "../deps.ts";
import { escapeHtml } from "../lib/html.ts";
import { isId } from "../lib/ids.ts";
import { loadBundles } from "../services/statuses/load.ts";
import { isTagName } from "../services/tags/names.ts";
import { tagTimeline } from "../services/tags/timeline.ts";
import { feedLinks } from "./feeds.ts";
import { layout, openGraph, sendHtml } from "./layout.ts";
import { type SiteInfo, statusListItem } from "./status-page.ts";

const PAGE_SIZE = 20;

export function registerTagPage(
  app: Hono,
  deps: AppDeps,
  site: SiteInfo,
  notFound: (c: Context) => Response | Promise<Response>,
): void {
  app.get("/tags/:name", async (c) => {
    const raw = c.req.param("name").replace(/^#/, "");
    if (!isTagName(raw)) return notFound(c);
    const name = raw.toLowerCase();
    const maxParam = c.req.query("max_id");
    const maxId = maxParam && isId(maxParam) ? maxParam : undefined;
    // One more than a page tells whether an older page exists without a count query.
    const rows = await tagTimeline(deps.db, name, { limit: PAGE_SIZE + 1, maxId }, {}, null);
    const page = rows.slice(0, PAGE_SIZE);
    const posts = await loadBundles(deps.db, page);
    const url = `${site.publicUrl}/tags/${encodeURIComponent(name)}`;
    const title = `#${name}`;
    const list = posts.length
      ? posts.map((b) => statusListItem(b, site)).join("\n")
      : `<p class="card">${maxId ? "No older posts." : "No public posts with this hashtag yet."}</p>`;
    const older = rows.length > PAGE_SIZE ? page.at(-1)?.id : undefined;
    const links = [
      maxId ? `<a href="${escapeHtml(url)}">Newest posts</a>` : "",
      older ? `<a rel="next" href="?max_id=${encodeURIComponent(older)}">Older posts</a>` : "",
    ].join("");
    const head = [
      `<link rel="canonical" href="${escapeHtml(url)}">`,
      feedLinks(url, title),
      openGraph({
        "og:site_name": site.host,
        "og:type": "website",
        "og:title": title,
        "og:description": `Public posts tagged ${title} on ${site.host}`,
        "og:url": url,
      }),
    ].join("\n");
    const body = `<section class="card"><h1>${escapeHtml(title)}</h1>
<p class="meta">Public posts with this hashtag that reached ${escapeHtml(site.host)}. Follow it from any Mastodon-compatible app.</p></section>
<section class="h-feed" aria-label="Posts">
${list}
</section>
${links ? `<nav class="pager">${links}</nav>` : ""}`;
    return sendHtml(
      c,
      layout({ title: `${title} - ${site.host}`, head, body, host: site.host }),
      200,
    );
  });
}
