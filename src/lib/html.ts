/**
 * HTML that other servers send us (Note content, actor summaries) is untrusted: it is shown to
 * our users by web and API clients that render it as HTML. We keep what Mastodon's
 * `Sanitize::Config::MASTODON_STRICT` keeps, so remote posts look the same here as on Mastodon
 * and Mastodon clients (which style `.mention`, `.hashtag`, `.invisible`, `.ellipsis`) work.
 */
import sanitizeHtml from "sanitize-html";

/** Link schemes Mastodon keeps (LINK_PROTOCOLS), plus mailto: GoToSocial links e-mail addresses. */
const LINK_SCHEMES = [
  "http",
  "https",
  "mailto",
  "dat",
  "dweb",
  "ipfs",
  "ipns",
  "ssb",
  "gopher",
  "xmpp",
  "magnet",
  "gemini",
];
const LINK_PROTOCOLS = new Set(LINK_SCHEMES.map((s) => `${s}:`));

/**
 * Microformats (h-card, u-url, …) and Mastodon's own presentation classes. Any other class is
 * dropped: a remote server must not be able to borrow our UI's classes (e.g. to overlay the page).
 */
const ALLOWED_CLASSES = [
  "h-*",
  "p-*",
  "u-*",
  "dt-*",
  "e-*",
  "mention",
  "hashtag",
  "ellipsis",
  "invisible",
  "quote-inline",
];

/** Marker tag for headings; replaced by `<p><strong>` after sanitizing (see below). */
const HEADING_MARKER = "tern-heading";

/** Our rel for every remote link: no SEO credit, no `window.opener`, no Referer. */
const LINK_REL = ["nofollow", "noopener", "noreferrer"];

/** True if `href` is an absolute URL with an allowed scheme. `new URL` strips the tabs and
 * newlines browsers strip too, so `java\tscript:` is seen as `javascript:` and refused. */
function isAllowedHref(href: string): boolean {
  try {
    return LINK_PROTOCOLS.has(new URL(href).protocol);
  } catch {
    // Relative URLs mean nothing outside the sender's site; Mastodon drops them as well.
    return false;
  }
}

/**
 * Rewrites `<a>` the way Mastodon's LINK_REL and UNSUPPORTED_HREF transformers do: a link with a
 * href we cannot allow becomes a `<span>` (its text stays); a good one gets our rel and target,
 * keeping only `rel="tag"` from the sender because clients use it to recognise hashtags.
 */
function transformLink(_tag: string, attribs: sanitizeHtml.Attributes): sanitizeHtml.Tag {
  const href = (attribs.href ?? "").trim();
  const cls = attribs.class;
  if (!isAllowedHref(href)) {
    return { tagName: "span", attribs: cls ? { class: cls } : {} };
  }
  const senderRel = (attribs.rel ?? "").toLowerCase().split(/\s+/);
  const rel = senderRel.includes("tag") ? ["tag", ...LINK_REL] : LINK_REL;
  const out: sanitizeHtml.Attributes = { href };
  if (cls) out.class = cls;
  out.rel = rel.join(" ");
  out.target = "_blank";
  if (attribs.translate?.toLowerCase() === "no") out.translate = "no";
  return { tagName: "a", attribs: out };
}

/** Mastodon allows translate="no" on spans too (it keeps translators off handles); any other
 * value is dropped rather than passed on. */
function transformSpan(_tag: string, attribs: sanitizeHtml.Attributes): sanitizeHtml.Tag {
  const out: sanitizeHtml.Attributes = {};
  if (attribs.class) out.class = attribs.class;
  if (attribs.translate?.toLowerCase() === "no") out.translate = "no";
  return { tagName: "span", attribs: out };
}

const toHeading = (): sanitizeHtml.Tag => ({ tagName: HEADING_MARKER, attribs: {} });

const OPTIONS: sanitizeHtml.IOptions = {
  allowedTags: [
    "p",
    "br",
    "span",
    "a",
    "abbr",
    "del",
    "s",
    "pre",
    "code",
    "em",
    "strong",
    "b",
    "i",
    "u",
    "ul",
    "ol",
    "li",
    "blockquote",
    "ruby",
    "rt",
    "rp",
    HEADING_MARKER,
  ],
  allowedAttributes: {
    a: ["href", "rel", "target", "class", "translate"],
    span: ["class", "translate"],
    ol: ["start", "reversed"],
    li: ["value"],
  },
  allowedClasses: { a: ALLOWED_CLASSES, span: ALLOWED_CLASSES },
  allowedSchemes: LINK_SCHEMES,
  allowedSchemesByTag: {},
  allowProtocolRelative: false,
  // Disallowed tags vanish but keep their text, except these, whose "text" is code, CSS or
  // fallback markup that would read as garbage (or as a trap) if shown.
  disallowedTagsMode: "discard",
  nonTextTags: [
    "script",
    "style",
    "textarea",
    "option",
    "xmp",
    "noscript",
    "noembed",
    "noframes",
    "iframe",
    "object",
    "template",
    "title",
  ],
  transformTags: {
    a: transformLink,
    span: transformSpan,
    h1: toHeading,
    h2: toHeading,
    h3: toHeading,
    h4: toHeading,
    h5: toHeading,
    h6: toHeading,
  },
};

/**
 * Cleans remote HTML. Headings become `<p><strong>…</strong></p>` like Mastodon does (a post is
 * not a document; a giant `<h1>` in a timeline is abuse). Line breaks come out as `<br>`.
 */
export function sanitizeRemoteHtml(html: string): string {
  // NUL cannot be stored in PostgreSQL text and has no place in HTML.
  const clean = sanitizeHtml(html.replaceAll("\u0000", ""), OPTIONS);
  // These replacements are safe on sanitized output: every `<` that is text has been escaped
  // to `&lt;`, so a literal `<br />` or marker tag can only be a tag sanitize-html wrote.
  return clean
    .replaceAll("<br />", "<br>")
    .replaceAll(`<${HEADING_MARKER}>`, "<p><strong>")
    .replaceAll(`</${HEADING_MARKER}>`, "</strong></p>");
}

const ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

/** Escapes text for use in element content and in double- or single-quoted attributes. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

const NAMED_ENTITIES: Record<string, string> = {
  amp: "&",
  lt: "<",
  gt: ">",
  quot: '"',
  apos: "'",
  nbsp: "\u00a0",
};

/** Decodes the entities sanitize-html writes (&amp; &lt; &gt; &quot;) plus numeric ones. */
function decodeEntities(s: string): string {
  return s.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, (whole, body: string) => {
    if (body[0] === "#") {
      const code =
        body[1] === "x" || body[1] === "X"
          ? Number.parseInt(body.slice(2), 16)
          : Number.parseInt(body.slice(1), 10);
      return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return NAMED_ENTITIES[body.toLowerCase()] ?? whole;
  });
}

/** Elements after which the text continues in a new paragraph. */
const BLOCK_TAGS = new Set(["p", "blockquote", "pre", "ul", "ol"]);

/**
 * Plain text for previews, notifications and search: no markup, no links (a link's text, which
 * for Mastodon-style links is the whole URL including the invisible parts, is kept), `<br>` as a
 * newline and paragraphs separated by a blank line. Input may be untrusted: it is sanitized
 * first, which also drops the text of `<script>` and `<style>`.
 */
export function htmlToPlainText(html: string): string {
  const clean = sanitizeRemoteHtml(html);
  // Output pieces; the helpers below only look at the tail, so long posts stay linear.
  const parts: string[] = [];
  const isBlank = (c: string | undefined) => c === " " || c === "\t";
  const trimEnd = () => {
    while (parts.length > 0) {
      const last = parts[parts.length - 1]!;
      if (!isBlank(last.at(-1))) return;
      const trimmed = last.replace(/[ \t]+$/, "");
      if (trimmed !== "") {
        parts[parts.length - 1] = trimmed;
        return;
      }
      parts.pop();
    }
  };
  const trailingNewlines = () => {
    let n = 0;
    for (let i = parts.length - 1; i >= 0; i--) {
      const p = parts[i]!;
      let j = p.length;
      while (j > 0 && p[j - 1] === "\n") j--;
      n += p.length - j;
      if (j > 0) break;
    }
    return n;
  };
  // Ends the current line or paragraph: `n` newlines at the end, never more, so that
  // `</p><p>` or `<br></p>` do not pile up blank lines. Nothing is added at the very start.
  const lineBreak = (n: number) => {
    trimEnd();
    if (parts.length === 0) return;
    const have = trailingNewlines();
    if (have < n) parts.push("\n".repeat(n - have));
  };
  let preDepth = 0;
  // Sanitized output is well-formed enough to tokenize: attribute values have `<` and `>`
  // escaped, so `<[^>]*>` is exactly one tag.
  for (const [token] of clean.matchAll(/<[^>]*>|[^<]+/g)) {
    if (token[0] !== "<") {
      if (preDepth > 0) {
        parts.push(decodeEntities(token));
      } else {
        // Source formatting whitespace means nothing in HTML outside <pre>: collapse it, and
        // drop it at the start of a line.
        const text = decodeEntities(token.replace(/[ \t\r\n\f]+/g, " "));
        const lineStart = parts.length === 0 || parts[parts.length - 1]!.endsWith("\n");
        const piece = lineStart ? text.trimStart() : text;
        if (piece !== "") parts.push(piece);
      }
      continue;
    }
    const closing = token[1] === "/";
    const name = /^<\/?([a-z0-9-]+)/i.exec(token)?.[1]?.toLowerCase() ?? "";
    if (name === "pre") preDepth = Math.max(0, preDepth + (closing ? -1 : 1));
    if (name === "br") {
      trimEnd();
      parts.push("\n"); // a <br> is a real line, even an empty one
    } else if (BLOCK_TAGS.has(name)) lineBreak(2);
    else if (name === "li") lineBreak(1);
  }
  return parts.join("").trim();
}
