/**
 * Markdown posts (`content_type: text/markdown`). The source is rendered by markdown-it with raw
 * HTML off; links, mentions and hashtags in its text are rendered by the same code as plain-text
 * posts (text-to-html.ts), so they carry the markup Mastodon clients recognise. The result is
 * cleaned by the sanitizer every remote post goes through, so a Markdown post holds only what
 * Mastodon itself keeps (headings become `<p><strong>`, no images or tables): it looks the same
 * here, in apps and on every server it reaches.
 */

import type { Token } from "markdown-it";
import MarkdownIt from "markdown-it";
import { sanitizeRemoteHtml } from "./html.ts";
import {
  type FormatOptions,
  type FormattedStatus,
  newSink,
  renderEntities,
  renderUrl,
} from "./text-to-html.ts";

const md = new MarkdownIt({ html: false, linkify: true, breaks: true, typographer: false });
// Only links with a scheme: `example.com` in prose stays text, as in a plain-text post.
md.linkify.set({ fuzzyLink: false, fuzzyEmail: false, fuzzyIP: false });
// Mastodon keeps neither pictures nor tables; media are attachments.
md.disable(["image", "table"]);

/**
 * Our own entity markup is swapped for placeholders while the user's Markdown is sanitized, then
 * put back: the sanitizer would otherwise rewrite it (rel, target) and it would differ from the
 * plain-text rendering. Private-use characters cannot come from the source (they are replaced).
 */
const OPEN = "\uE000";
const CLOSE = "\uE001";
const PLACEHOLDER_RE = /\uE000(\d+)\uE001/g;

export function formatMarkdown(source: string, opts: FormatOptions): FormattedStatus {
  const text = source
    .replace(/\r\n?/g, "\n")
    .replace(/[\uE000\uE001]/g, "\uFFFD")
    .trim();
  const sink = newSink();
  const pieces: string[] = [];
  const hold = (html: string) => `${OPEN}${pieces.push(html) - 1}${CLOSE}`;
  const tokens = md.parse(text, {});
  for (const block of tokens) {
    if (block.type === "inline" && block.children) {
      block.children = rewriteInline(
        block.children,
        (t) => hold(renderEntities(t, opts, sink, false)),
        (href) => hold(renderUrl(href)),
      );
    }
  }
  // Placeholders were emitted as text tokens' content, so the renderer escapes nothing in them.
  const rendered = md.renderer.render(tokens, md.options, {});
  const html = dropLayoutNewlines(sanitizeRemoteHtml(rendered)).replace(
    PLACEHOLDER_RE,
    (_, i: string) => pieces[Number(i)] ?? "",
  );
  return { html, mentions: sink.mentions, hashtags: sink.hashtags };
}

/**
 * Text outside links gets mentions and hashtags; a bare URL markdown-it linked becomes
 * Mastodon's shortened link. Code spans are their own token type and stay literal.
 */
function rewriteInline(
  children: Token[],
  renderText: (text: string) => string,
  renderLink: (href: string) => string,
): Token[] {
  const out: Token[] = [];
  let inLink = 0;
  for (let i = 0; i < children.length; i++) {
    const t = children[i]!;
    if (t.type === "link_open" && t.markup === "linkify") {
      const href = String(t.attrGet("href") ?? "");
      while (i < children.length && children[i]!.type !== "link_close") i++;
      // The link's opening token becomes a text token holding our rendering of the URL.
      Object.assign(t, { type: "text", tag: "", nesting: 0, attrs: null, markup: "" });
      t.content = renderLink(href);
      out.push(t);
      continue;
    }
    if (t.type === "link_open") inLink++;
    if (t.type === "link_close") inLink--;
    if (t.type === "text" && inLink === 0) {
      t.content = renderText(t.content);
    }
    out.push(t);
  }
  return out;
}

/** Newlines the renderer puts between block tags are layout, not text; inside `<pre>` they are. */
function dropLayoutNewlines(html: string): string {
  return html
    .split(/(<pre>[\s\S]*?<\/pre>)/)
    .map((part, i) => (i % 2 ? part : part.replace(/\n/g, "")))
    .join("");
}
