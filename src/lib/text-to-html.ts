/**
 * Turns what a local user typed into the HTML Mastodon would render for it, so that our posts
 * look native in Mastodon clients and on other servers: the same paragraph, link, mention and
 * hashtag markup as Mastodon's TextFormatter (app/lib/text_formatter.rb).
 *
 * Detection happens once, in `scan`, and both the extractors and the renderer use it, so the
 * mentions a caller resolves beforehand are exactly the ones the renderer will ask about.
 */
import { escapeHtml } from "./html.ts";

/** An account a mention resolved to. */
export interface MentionTarget {
  id: string;
  username: string;
  domain: string | null;
  /** Profile page; the mention links here, like Mastodon's `url_for(account)`. */
  url: string;
  /** ActivityPub id; for the Note's Mention tag. */
  uri: string;
}

export interface FormatOptions {
  /** e.g. `https://tern.example`, no trailing slash. */
  publicUrl: string;
  /** Our host as it appears in handles, port included (`localhost:8443`). */
  localHost: string;
  /** `domain` is null for local accounts (also when typed as `@alice@<localHost>`). */
  resolveMention: (username: string, domain: string | null) => MentionTarget | undefined;
}

export interface FormattedStatus {
  html: string;
  /** Resolved mentions, each account once, in order of first appearance. */
  mentions: MentionTarget[];
  /** Hashtag names as typed, deduplicated case-insensitively, in order of first appearance. */
  hashtags: string[];
}

export interface ExtractedMention {
  username: string;
  /** Lower-cased host with optional port; null when the mention had no domain. */
  domain: string | null;
  /** `username` or `username@domain`. */
  acct: string;
}

/**
 * http(s) URLs. The scheme must not be glued to a word (`xhttps://`), and the host must start
 * with a letter, digit or `[` (IPv6) so a bare `https://` is not a link. The URL runs to the next
 * whitespace or a character that cannot appear unescaped in a URL (`<`, `>`, `"`); trailing
 * punctuation is trimmed afterwards by `trimUrl`.
 */
const URL_RE = /(?<![\p{L}\p{N}_])https?:\/\/[\p{L}\p{N}[][^\s<>"]*/giu;

/**
 * `@user`, `@user@host`, `@user@host:port`. The lookbehind is what keeps e-mail addresses
 * (`bob@example.com`: `@` after a letter) and URL paths (`/@alice`, `?u=@x`) from counting.
 * Usernames follow Mastodon's USERNAME_RE (dots and dashes only between word characters);
 * hosts are labels of letters (IDN), digits, `_` or `-` joined by single dots, so a sentence's
 * final period is not taken as part of the host.
 */
const MENTION_RE =
  /(?<![\p{L}\p{M}\p{N}_=/@])@([a-z0-9_]+(?:[.-]+[a-z0-9_]+)*)(?:@([\p{L}\p{N}_-]+(?:\.[\p{L}\p{N}_-]+)*(?::\d{1,5}(?!\d))?))?(?![\p{L}\p{N}_])/giu;

/**
 * `#name` where name is letters (any script, with combining marks, so `#café` typed either way
 * works), digits and `_`; Mastodon's separators (middle dot, katakana middle dot, ZWNJ for
 * Persian) are allowed inside. Not after a word character, `/`, `=` or `#` (`a#b`, URL
 * fragments, `##`). A name without any letter (`#123`) is not a hashtag: see `isHashtagName`.
 */
const HASHTAG_RE =
  /(?<![\p{L}\p{M}\p{N}_/=#])#([\p{L}\p{M}\p{N}_](?:[\p{L}\p{M}\p{N}_\u00B7\u30FB\u200C]*[\p{L}\p{M}\p{N}_])?)/gu;

const isHashtagName = (name: string) => /\p{L}/u.test(name);

type Entity =
  | { kind: "url"; start: number; end: number; url: string }
  | { kind: "mention"; start: number; end: number; username: string; domain: string | null }
  | { kind: "hashtag"; start: number; end: number; name: string };

/**
 * Strips punctuation that ends the sentence rather than the URL: `see https://a.test/x.` or
 * `(https://a.test/x)`. A closing bracket stays when it closes one opened inside the URL, as in
 * `https://en.wikipedia.org/wiki/Tern_(bird)`.
 */
function trimUrl(url: string): string {
  // Bracket balance of the whole candidate, updated as characters are cut off the end, so
  // that a pathological `https://a.test/)))…` stays linear.
  const balance: Record<string, number> = { ")": 0, "]": 0, "}": 0 };
  for (const c of url) {
    if (c in balance) balance[c]!++;
    else if (c === "(") balance[")"]!--;
    else if (c === "[") balance["]"]!--;
    else if (c === "{") balance["}"]!--;
  }
  let end = url.length;
  while (end > 0) {
    const c = url[end - 1]!;
    if (".,:;!?'\"*".includes(c)) {
      end--;
    } else if (c in balance && balance[c]! > 0) {
      // More closers than openers: this one closes something outside the URL.
      balance[c]!--;
      end--;
    } else {
      break;
    }
  }
  return url.slice(0, end);
}

/** All links, mentions and hashtags in reading order. URLs win: nothing inside a URL counts. */
function scan(text: string): Entity[] {
  const found: Entity[] = [];
  for (const m of text.matchAll(URL_RE)) {
    const url = trimUrl(m[0]);
    // "https://" followed only by punctuation is not a link.
    if (/^https?:\/\/./i.test(url)) {
      found.push({ kind: "url", start: m.index, end: m.index + url.length, url });
    }
  }
  // Characters already claimed by an entity (URLs first); checking and marking a span costs
  // its length, so even a text full of entities is scanned in linear time.
  const taken = new Uint8Array(text.length);
  const claim = (start: number, end: number) => {
    for (let i = start; i < end; i++) if (taken[i]) return false;
    taken.fill(1, start, end);
    return true;
  };
  for (const e of found) taken.fill(1, e.start, e.end);
  for (const m of text.matchAll(MENTION_RE)) {
    const start = m.index;
    const end = start + m[0].length;
    if (claim(start, end)) {
      const domain = m[2] ? m[2].toLowerCase() : null;
      found.push({ kind: "mention", start, end, username: m[1]!, domain });
    }
  }
  for (const m of text.matchAll(HASHTAG_RE)) {
    const start = m.index;
    const end = start + m[0].length;
    if (isHashtagName(m[1]!) && claim(start, end)) {
      found.push({ kind: "hashtag", start, end, name: m[1]! });
    }
  }
  return found.sort((a, b) => a.start - b.start);
}

/**
 * The mentions in `text`, each acct once (case-insensitively), in order of first appearance.
 * Give `localHost` to have `@alice@<localHost>` reported with domain null, the way
 * `formatStatusText` will ask `resolveMention` about it.
 */
export function extractMentions(text: string, localHost?: string): ExtractedMention[] {
  const local = localHost?.toLowerCase();
  const seen = new Set<string>();
  const out: ExtractedMention[] = [];
  for (const e of scan(text)) {
    if (e.kind !== "mention") continue;
    const domain = e.domain === local ? null : e.domain;
    const acct = domain ? `${e.username}@${domain}` : e.username;
    if (seen.has(acct.toLowerCase())) continue;
    seen.add(acct.toLowerCase());
    out.push({ username: e.username, domain, acct });
  }
  return out;
}

/** Hashtag names as typed (no `#`), deduplicated case-insensitively, first spelling wins. */
export function extractHashtags(text: string): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const e of scan(text)) {
    if (e.kind !== "hashtag" || seen.has(e.name.toLowerCase())) continue;
    seen.add(e.name.toLowerCase());
    out.push(e.name);
  }
  return out;
}

/** Mastodon hides the scheme (and `www.`) of a link: it is noise in a timeline. */
const URL_PREFIX_RE = /^(?:https?:\/\/(?:www\.)?)/i;
/** Visible characters of a link before Mastodon cuts it off with an ellipsis. */
const DISPLAY_LENGTH = 30;

/**
 * Mastodon's `TextFormatter.shortened_link`: three spans, so the full URL is still the link's
 * text (copy-paste, screen readers) while clients show `example.com/a-very-long-pa…`.
 * Lengths count code points like Ruby does, so an emoji is never cut in half.
 */
export function renderUrl(url: string): string {
  const prefix = URL_PREFIX_RE.exec(url)?.[0] ?? "";
  const rest = Array.from(url.slice(prefix.length));
  const display = rest.slice(0, DISPLAY_LENGTH).join("");
  const hidden = rest.slice(DISPLAY_LENGTH).join("");
  const cls = rest.length > DISPLAY_LENGTH ? "ellipsis" : "";
  return (
    `<a href="${escapeHtml(url)}" target="_blank" rel="nofollow noopener noreferrer" translate="no">` +
    `<span class="invisible">${escapeHtml(prefix)}</span>` +
    `<span class="${cls}">${escapeHtml(display)}</span>` +
    `<span class="invisible">${escapeHtml(hidden)}</span></a>`
  );
}

function renderMention(target: MentionTarget): string {
  return (
    `<span class="h-card" translate="no"><a href="${escapeHtml(target.url)}" class="u-url mention">` +
    `@<span>${escapeHtml(target.username)}</span></a></span>`
  );
}

function renderHashtag(publicUrl: string, name: string): string {
  const href = `${publicUrl}/tags/${encodeURIComponent(name.toLowerCase())}`;
  return (
    `<a href="${escapeHtml(href)}" class="mention hashtag" rel="tag">` +
    `#<span>${escapeHtml(name)}</span></a>`
  );
}

/** Collects what a rendering linked, for the caller to store (mentions, tags). */
export interface EntitySink {
  mentions: MentionTarget[];
  hashtags: string[];
  seenTags: Set<string>;
}

export const newSink = (): EntitySink => ({ mentions: [], hashtags: [], seenTags: new Set() });

/**
 * One run of text as Mastodon renders it: escaped, with links, resolved mentions and hashtags.
 * `urls: false` leaves links as text (the Markdown path has already linked them).
 * An unresolved mention stays plain text, as on Mastodon: linking a handle we could not find
 * would point at nothing, and it must not be notified or addressed either.
 */
export function renderEntities(
  text: string,
  opts: FormatOptions,
  sink: EntitySink,
  urls = true,
): string {
  const local = opts.localHost.toLowerCase();
  const publicUrl = opts.publicUrl.replace(/\/+$/, "");
  let body = "";
  let pos = 0;
  for (const e of scan(text)) {
    if (e.kind === "url" && !urls) continue;
    body += escapeHtml(text.slice(pos, e.start));
    const original = text.slice(e.start, e.end);
    pos = e.end;
    if (e.kind === "url") {
      body += renderUrl(e.url);
    } else if (e.kind === "mention") {
      const target = opts.resolveMention(e.username, e.domain === local ? null : e.domain);
      if (!target) {
        body += escapeHtml(original);
        continue;
      }
      body += renderMention(target);
      if (!sink.mentions.some((m) => m.id === target.id)) sink.mentions.push(target);
    } else {
      body += renderHashtag(publicUrl, e.name);
      const key = e.name.toLowerCase();
      if (!sink.seenTags.has(key)) {
        sink.seenTags.add(key);
        sink.hashtags.push(e.name);
      }
    }
  }
  return body + escapeHtml(text.slice(pos));
}

/**
 * Renders a status the way Mastodon does: escaped text, `<p>` per paragraph (paragraphs are
 * separated by blank lines), `<br>` for single newlines, links, resolved mentions and hashtags.
 */
export function formatStatusText(text: string, opts: FormatOptions): FormattedStatus {
  const normalized = text.replace(/\r\n?/g, "\n").trim();
  const sink = newSink();
  const body = renderEntities(normalized, opts, sink);
  // Entities never contain newlines (none of the patterns match whitespace), so splitting the
  // rendered text on newlines is the same as splitting the source. A blank line (possibly
  // holding only spaces) ends a paragraph, like Rails' simple_format that Mastodon uses.
  const html = body
    ? body
        .split(/\n\s*\n/)
        .map((para) => `<p>${para.replaceAll("\n", "<br>")}</p>`)
        .join("")
    : "";
  return { html, mentions: sink.mentions, hashtags: sink.hashtags };
}
