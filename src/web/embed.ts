/**
 * Embedding a post on another site: `/@alice/:id/embed`, a bare page that any site may frame
 * (its own frame-ancestors), and `/api/oembed?url=` (oEmbed 1.0, as Mastodon has) whose `html`
 * is an iframe of that page. Only posts the public post page shows can be embedded.
 */
import type { Context, Hono } from "hono";
import type { AppDeps } from "../deps.ts";
import { escapeHtml } from "../lib/html.ts";
import type { StatusBundle } from "../services/statuses/types.ts";
import { CSP, layout, sendHtml } from "./layout.ts";
import {
  authorBlock,
  displayNameOf,
  profileUrlOf,
  type SiteInfo,
  statusContent,
} from "./status-page.ts";

/** Framing allowed anywhere; everything else as strict as our other pages (no scripts). */
const EMBED_CSP = CSP.replace("frame-ancestors 'none'", "frame-ancestors *");

const DEFAULT_WIDTH = 400;
const DEFAULT_HEIGHT = 360;

export type FindPublicStatus = (username: string, id: string) => Promise<StatusBundle | undefined>;

export const embedUrlOf = (b: StatusBundle, site: SiteInfo) =>
  `${site.publicUrl}/@${b.account.username}/${b.status.id}/embed`;

/** The oEmbed discovery link for a post page. */
export function oembedLink(postUrl: string, site: SiteInfo): string {
  const href = `${site.publicUrl}/api/oembed?url=${encodeURIComponent(postUrl)}`;
  return `<link rel="alternate" type="application/json+oembed" href="${escapeHtml(href)}">`;
}

function renderEmbed(bundle: StatusBundle, site: SiteInfo, postUrl: string): string {
  const body = `<article class="card h-entry">
${authorBlock(bundle.account, site, true)}
${statusContent(bundle)}
<div class="meta"><a href="${escapeHtml(postUrl)}">View on ${escapeHtml(site.host)}</a></div>
</article>`;
  // Links leave the frame: a reader clicking a mention should not browse inside someone's page.
  const head = `<base target="_blank"><meta name="robots" content="noindex">`;
  return layout({
    title: `${displayNameOf(bundle.account)} on ${site.host}`,
    head,
    body,
    host: site.host,
    bare: true,
  });
}

/** A post page URL of ours (`/@alice/1` or `/users/alice/statuses/1`) as [username, id]. */
function parsePostUrl(raw: string, site: SiteInfo): [string, string] | undefined {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return undefined;
  }
  if (url.origin !== site.publicUrl) return undefined;
  const m =
    /^\/@([A-Za-z0-9_]+)\/(\d+)\/?$/.exec(url.pathname) ??
    /^\/users\/([A-Za-z0-9_]+)\/statuses\/(\d+)\/?$/.exec(url.pathname);
  return m ? [m[1]!, m[2]!] : undefined;
}

const dimension = (raw: string | undefined, fallback: number) => {
  const n = Number(raw);
  return Number.isInteger(n) && n > 0 ? Math.min(n, fallback) : fallback;
};

export function registerEmbeds(
  app: Hono,
  _deps: AppDeps,
  site: SiteInfo,
  findPublicStatus: FindPublicStatus,
  notFound: (c: Context) => Response | Promise<Response>,
): void {
  app.get("/:handle{@[A-Za-z0-9_]+}/:id/embed", async (c) => {
    const bundle = await findPublicStatus(c.req.param("handle").slice(1), c.req.param("id"));
    if (!bundle) return notFound(c);
    const postUrl =
      bundle.status.url ?? `${profileUrlOf(bundle.account, site)}/${bundle.status.id}`;
    return sendHtml(c, renderEmbed(bundle, site, postUrl), 200, { csp: EMBED_CSP });
  });

  app.get("/api/oembed", async (c) => {
    const format = c.req.query("format");
    // oEmbed: a format the provider does not serve is 501.
    if (format && format !== "json") return c.json({ error: "Only format=json is served" }, 501);
    const target = parsePostUrl(c.req.query("url") ?? "", site);
    const bundle = target ? await findPublicStatus(...target) : undefined;
    if (!bundle) return c.json({ error: "Record not found" }, 404);
    const width = dimension(c.req.query("maxwidth"), DEFAULT_WIDTH);
    const height = dimension(c.req.query("maxheight"), DEFAULT_HEIGHT);
    const src = escapeHtml(embedUrlOf(bundle, site));
    const html = `<iframe src="${src}" class="tern-embed" style="max-width: 100%; border: 0" width="${width}" height="${height}" sandbox="allow-popups allow-popups-to-escape-sandbox" loading="lazy"></iframe>`;
    c.header("Cache-Control", "public, max-age=3600");
    return c.json({
      type: "rich",
      version: "1.0",
      title: `New status by ${bundle.account.username}`,
      author_name: displayNameOf(bundle.account),
      author_url: profileUrlOf(bundle.account, site),
      provider_name: site.host,
      provider_url: `${site.publicUrl}/`,
      cache_age: 86_400,
      html,
      width,
      height,
    });
  });
}
