/**
 * The shell every public page shares: one small stylesheet inline (no extra request, nothing to
 * cache-bust), no scripts at all, readable from a 320px phone to a desktop, light or dark.
 */
import type { Context } from "hono";
import { escapeHtml } from "../lib/html.ts";

const STYLE = `
:root{color-scheme:light dark;--bg:#f4f5f7;--card:#fff;--fg:#1b1d21;--muted:#5b616b;--line:#d6d9de;--link:#2456c8}
@media (prefers-color-scheme:dark){:root{--bg:#16181d;--card:#1f2229;--fg:#e6e8eb;--muted:#a0a6b0;--line:#343842;--link:#8fb0ff}}
*{box-sizing:border-box}
body{font:16px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;background:var(--bg);color:var(--fg)}
main{max-width:40rem;margin:0 auto;padding:1rem .75rem 3rem}
a{color:var(--link)}
header.site{max-width:40rem;margin:0 auto;padding:.75rem;font-weight:600}
header.site a{color:inherit;text-decoration:none}
.card{background:var(--card);border:1px solid var(--line);border-radius:.5rem;padding:1rem;margin:0 0 .75rem;overflow-wrap:anywhere}
.media{display:grid;gap:.25rem;margin-top:.5rem}.media img,.media video{width:100%;height:auto;border-radius:.5rem}.media audio{width:100%}
.banner{display:block;width:calc(100% + 2rem);height:8rem;object-fit:cover;margin:-1rem -1rem .75rem;border-radius:.5rem .5rem 0 0}
.who{display:flex;gap:.75rem;align-items:center}
.who img{width:4rem;height:4rem;border-radius:.5rem;flex:none;object-fit:cover;background:var(--line)}
.who.small img{width:2.75rem;height:2.75rem}
.who .name{font-weight:700;font-size:1.15rem;line-height:1.3}
.who.small .name{font-size:1rem}
.handle,.meta{color:var(--muted);font-size:.9rem}
.stats{display:flex;flex-wrap:wrap;gap:.25rem 1.25rem;margin:.75rem 0 0;padding:0;list-style:none;color:var(--muted)}
.stats strong{color:var(--fg)}
.content p{margin:.5rem 0}
.content blockquote{margin:.5rem 0;padding-left:.75rem;border-left:3px solid var(--line)}
.content pre{overflow-x:auto}
.invisible{font-size:0;line-height:0;display:inline-block;width:0;height:0;position:absolute}
.ellipsis::after{content:"…"}
details>summary{cursor:pointer;font-weight:600}
details[open]>summary{margin-bottom:.5rem}
.meta{display:flex;flex-wrap:wrap;gap:.25rem .75rem;margin-top:.5rem}
.meta a{color:inherit}
nav.pager{display:flex;justify-content:space-between;gap:1rem;margin:1rem 0}
h1{font-size:1.4rem;margin:0 0 .5rem}
:focus-visible{outline:3px solid #f2a900;outline-offset:2px}`;

/** No scripts, no plugins, no framing; images may come from anywhere (remote media, avatars). */
export const CSP =
  "default-src 'none'; img-src * data:; media-src *; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

export interface PageInput {
  title: string;
  /** Extra, already-escaped elements for <head> (alternate links, Open Graph). */
  head?: string;
  /** Already-escaped body markup. */
  body: string;
  host: string;
  /** No site header (a page shown inside another site's frame). */
  bare?: boolean;
}

export function layout(page: PageInput): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(page.title)}</title>
${page.head ?? ""}
<style>${STYLE}</style>
</head>
<body>
${page.bare ? "" : `<header class="site"><a href="/">${escapeHtml(page.host)}</a></header>`}
<main>
${page.body}
</main>
</body>
</html>
`;
}

/** `<meta property=…>` tags for Open Graph; values escaped here. */
export function openGraph(props: Record<string, string | undefined>): string {
  return Object.entries(props)
    .filter((e): e is [string, string] => typeof e[1] === "string" && e[1] !== "")
    .map(([k, v]) => `<meta property="${escapeHtml(k)}" content="${escapeHtml(v)}">`)
    .join("\n");
}

export interface HtmlOptions {
  /** Set on URLs that also answer with JSON-LD, so caches keep the two apart. */
  varyAccept?: boolean;
  cacheControl?: string;
  /** Replaces the default policy (an embed page may be framed). */
  csp?: string;
}

/** Sends a page with the headers every HTML response of ours carries. */
export function sendHtml(
  c: Context,
  html: string,
  status: 200 | 404 | 500,
  opts: HtmlOptions = {},
): Response {
  const headers: Record<string, string> = {
    "Content-Type": "text/html; charset=utf-8",
    "Content-Security-Policy": opts.csp ?? CSP,
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": opts.cacheControl ?? (status === 200 ? "public, max-age=60" : "no-cache"),
  };
  if (opts.varyAccept) headers.Vary = "Accept";
  return c.body(html, status, headers);
}

/** The same page for a missing account, a missing post and a hidden one: nothing to tell apart. */
export function notFoundPage(host: string): string {
  return layout({
    title: `Not found - ${host}`,
    host,
    body: `<div class="card"><h1>Not found</h1><p>This page does not exist, or is not public.</p><p><a href="/">Back to ${escapeHtml(host)}</a></p></div>`,
  });
}

export function errorPage(host: string): string {
  return layout({
    title: `Error - ${host}`,
    host,
    body: `<div class="card"><h1>Something went wrong</h1><p>Please try again in a moment.</p></div>`,
  });
}

// Server-rendered without JS, so one unambiguous zone: UTC, spelled out.
const TIME_FORMAT = new Intl.DateTimeFormat("en-GB", {
  dateStyle: "medium",
  timeStyle: "short",
  timeZone: "UTC",
});

/** A `<time>` element: machine-readable ISO in the attribute, a readable UTC date as text. */
export function timeTag(date: Date): string {
  return `<time datetime="${date.toISOString()}">${escapeHtml(TIME_FORMAT.format(date))} UTC</time>`;
}

/** Shortens plain text for descriptions (Open Graph, meta), on a code-point boundary. */
export function truncate(text: string, max: number): string {
  const chars = [...text.replace(/\s+/g, " ").trim()];
  return chars.length <= max ? chars.join("") : `${chars.slice(0, max - 1).join("")}…`;
}

/** Only http(s) URLs go into href/src attributes; anything else (javascript:, data:) is dropped. */
export function safeUrl(url: string | null | undefined): string | undefined {
  if (!url) return undefined;
  try {
    const u = new URL(url);
    return u.protocol === "https:" || u.protocol === "http:" ? u.href : undefined;
  } catch {
    return undefined;
  }
}
