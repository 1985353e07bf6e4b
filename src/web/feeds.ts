/**
 * Feeds for readers: `/@alice.rss` and `/@alice.atom` (the account's public and unlisted posts
 * without replies or boosts, as Mastodon's account RSS), `/tags/:name.rss` and `.atom` (public
 * posts of this server with the hashtag: remote authors did not publish to our feeds). The 20
 * newest, read anonymously (blocks and visibility as for a logged-out visitor).
 */
import type { Context, Hono } from "hono";
import type { AppDeps } from "../deps.ts";
import { escapeHtml, htmlToPlainText } from "../lib/html.ts";
import type { Account } from "../services/accounts/accounts.ts";
import { findLocalAccount } from "../services/accounts/accounts.ts";
import { loadBundles } from "../services/statuses/load.ts";
import type { StatusBundle } from "../services/statuses/types.ts";
import { isTagName } from "../services/tags/names.ts";
import { tagTimeline } from "../services/tags/timeline.ts";
import { accountStatuses } from "../services/timelines/timelines.ts";
import { type FeedInfo, renderAtom, renderRss } from "./feed-xml.ts";
import { avatarOf, displayNameOf, handleOf, type SiteInfo } from "./status-page.ts";

export const FEED_SIZE = 20;
type Format = "rss" | "atom";

const TYPES: Record<Format, string> = {
  rss: "application/rss+xml",
  atom: "application/atom+xml",
};

/** `<link rel="alternate">` tags announcing both feeds of a page at `base` (no extension). */
export function feedLinks(base: string, title: string): string {
  return (["rss", "atom"] as const)
    .map(
      (f) =>
        `<link rel="alternate" type="${TYPES[f]}" title="${escapeHtml(title)}" href="${escapeHtml(`${base}.${f}`)}">`,
    )
    .join("\n");
}

/** The human URL of a local post (the feeds hold local posts only). */
const postUrl = (b: StatusBundle, site: SiteInfo) =>
  b.status.url ?? `${site.publicUrl}/@${b.account.username}/${b.status.id}`;

function send(c: Context, format: Format, info: FeedInfo, bundles: StatusBundle[], site: SiteInfo) {
  const items = bundles.map((bundle) => ({ bundle, url: postUrl(bundle, site) }));
  const body = format === "rss" ? renderRss(info, items) : renderAtom(info, items);
  return c.body(body, 200, {
    "Content-Type": `${TYPES[format]}; charset=utf-8`,
    "X-Content-Type-Options": "nosniff",
    // Readers poll; five minutes of caching spares the database and is fresh enough for them.
    "Cache-Control": "public, max-age=300",
  });
}

export function registerFeeds(
  app: Hono,
  deps: AppDeps,
  site: SiteInfo,
  notFound: (c: Context) => Response | Promise<Response>,
): void {
  const { db } = deps;

  const accountFeed = async (c: Context, format: Format) => {
    const username = c.req
      .param("feed")!
      .replace(/^@/, "")
      .replace(/\.(rss|atom)$/, "");
    const account = await findLocalAccount(db, username);
    if (!account) return notFound(c);
    const rows = await accountStatuses(db, account.id, { limit: FEED_SIZE }, false, {
      excludeReplies: true,
      excludeReblogs: true,
    });
    return send(c, format, accountInfo(account, site, format), await loadBundles(db, rows), site);
  };

  const tagFeed = async (c: Context, format: Format) => {
    const raw = decodeURIComponent(c.req.param("feed")!).replace(/\.(rss|atom)$/, "");
    if (!isTagName(raw)) return notFound(c);
    const name = raw.toLowerCase();
    const rows = await tagTimeline(db, name, { limit: FEED_SIZE }, { local: true }, null);
    const pageUrl = `${site.publicUrl}/tags/${encodeURIComponent(name)}`;
    const info: FeedInfo = {
      title: `#${name}`,
      description: `Public posts tagged #${name} on ${site.host}`,
      pageUrl,
      selfUrl: `${pageUrl}.${format}`,
    };
    return send(c, format, info, await loadBundles(db, rows), site);
  };

  // One route per extension: the names cannot otherwise be told from `/@alice` and `/tags/x`.
  app.get("/:feed{@[A-Za-z0-9_]+\\.rss}", (c) => accountFeed(c, "rss"));
  app.get("/:feed{@[A-Za-z0-9_]+\\.atom}", (c) => accountFeed(c, "atom"));
  app.get("/tags/:feed{[^/]+\\.rss}", (c) => tagFeed(c, "rss"));
  app.get("/tags/:feed{[^/]+\\.atom}", (c) => tagFeed(c, "atom"));
}

function accountInfo(account: Account, site: SiteInfo, format: Format): FeedInfo {
  const pageUrl = `${site.publicUrl}/@${account.username}`;
  const bio = htmlToPlainText(account.note).trim();
  return {
    title: `${displayNameOf(account)} (${handleOf(account, site.host)})`,
    description: bio || `Public posts from ${handleOf(account, site.host)}`,
    pageUrl,
    selfUrl: `${pageUrl}.${format}`,
    imageUrl: avatarOf(account, site),
  };
}
