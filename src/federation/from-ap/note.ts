import { Article, Hashtag, Mention, Note, PUBLIC_COLLECTION, Question } from "@fedify/vocab";
import { and, eq, inArray, isNull, or } from "drizzle-orm";
import type { Db } from "../../db/client.ts";
import { accounts, statuses } from "../../db/schema/index.ts";
import type { Visibility } from "../../db/schema/statuses.ts";
import { sanitizeRemoteHtml } from "../../lib/html.ts";
import type { Account } from "../../services/accounts/accounts.ts";
import type { RemoteEmoji } from "../../services/emojis/emojis.ts";
import { hasLocalFollower } from "../../services/follows/local-followers.ts";
import type { RemoteStatusData } from "../../services/statuses/remote.ts";
import { remoteAttachments } from "./attachments.ts";
import { emojiOfTag } from "./emoji.ts";
import { interactionPolicyOf, quoteRefOf } from "./interaction-policy.ts";
import { remotePollOf } from "./question.ts";

export type PostObject = Note | Article | Question;
export const isPostObject = (o: unknown): o is PostObject =>
  o instanceof Note || o instanceof Article || o instanceof Question;

// Peers write the public collection three ways (Hollo: "as:Public"); JSON-LD expands the
// first two, the bare word is caught here.
const PUBLIC = new Set([PUBLIC_COLLECTION.href, "as:Public", "Public"]);

/**
 * Mastodon's reading of addressing: public in `to`, unlisted in `cc`, followers-only, direct.
 * A post's, or an Announce's (its `visibility_from_audience`).
 */
export function visibilityOf(
  note: Pick<PostObject, "toIds" | "ccIds">,
  author: Account,
): Visibility {
  const to = note.toIds.map((u) => u.href);
  const cc = note.ccIds.map((u) => u.href);
  if (to.some((u) => PUBLIC.has(u))) return "public";
  if (cc.some((u) => PUBLIC.has(u))) return "unlisted";
  if (author.followersUrl && [...to, ...cc].includes(author.followersUrl)) return "private";
  return "direct";
}

/**
 * What one remote post may make us process. Mastodon stores every tag a post carries; the inbox
 * guard already refuses arrays over 500 items, and of those at most MAX_TAGS_READ tag objects
 * are looked at, keeping MAX_MENTIONS mentions and MAX_HASHTAGS hashtags (Mastodon's own posts
 * are 500 characters, which fit about 60 of either). Longer hashtag names are dropped.
 */
export const MAX_TAGS_READ = 200;
export const MAX_MENTIONS = 50;
export const MAX_HASHTAGS = 50;
const MAX_HASHTAG_LENGTH = 100;

/** Tags named by a bare IRI are not fetched: every server embeds its Mention and Hashtag objects. */
const noFetch = async (url: string): Promise<never> => {
  throw new Error(`not fetching tag ${url}`);
};

/** Maps a remote Note to what the statuses service stores; content is sanitized here. */
export async function noteToStatusData(
  db: Db,
  note: PostObject,
  author: Account,
): Promise<RemoteStatusData | null> {
  if (!note.id) return null;
  const mentionHrefs = new Set<string>();
  const tagNames = new Set<string>();
  const emojis: RemoteEmoji[] = [];
  let read = 0;
  for await (const tag of note.getTags({ suppressError: true, documentLoader: noFetch })) {
    if (++read > MAX_TAGS_READ) break;
    if (tag instanceof Mention && tag.href) {
      if (mentionHrefs.size < MAX_MENTIONS) mentionHrefs.add(tag.href.href);
    } else if (tag instanceof Hashtag && tag.name && tagNames.size < MAX_HASHTAGS) {
      const name = String(tag.name).replace(/^#/, "").replaceAll("\u0000", "");
      if (name && name.length <= MAX_HASHTAG_LENGTH) tagNames.add(name.toLowerCase());
    } else {
      const emoji = await emojiOfTag(tag);
      if (emoji) emojis.push(emoji);
    }
  }

  const hashtags = tagNames.size
    ? [...tagNames]
    : hashtagsInContent(String(note.content ?? "")).slice(0, MAX_HASHTAGS);
  // Mentions point at an actor id (snac, Mastodon) or at a profile URL (GoToSocial, Hollo).
  const hrefs = [...mentionHrefs];
  const mentioned = hrefs.length
    ? await db
        .select({ id: accounts.id })
        .from(accounts)
        .where(
          or(
            inArray(accounts.uri, hrefs),
            and(inArray(accounts.url, hrefs), isNull(accounts.domain)),
          ),
        )
    : [];
  const published = note.published ? new Date(note.published.epochMilliseconds) : new Date();
  return {
    uri: note.id.href,
    url: (note.url instanceof URL ? note.url.href : note.url?.href?.href) ?? note.id.href,
    accountId: author.id,
    content: sanitizeRemoteHtml(String(note.content ?? "")),
    spoilerText: articleSummaryIsExcerpt(note)
      ? ""
      : String(note.summary ?? "")
          .replaceAll("\u0000", "")
          .slice(0, 5_000),
    title:
      note instanceof Article && note.name
        ? String(note.name).replaceAll("\u0000", "").slice(0, 500)
        : null,
    sensitive: note.sensitive ?? false,
    visibility: visibilityOf(note, author),
    language: languageOf(note),
    publishedAt: published,
    editedAt: note.updated ? new Date(note.updated.epochMilliseconds) : null,
    inReplyToUri: note.replyTargetId?.href ?? null,
    mentionedAccountIds: [...new Set(mentioned.map((m) => m.id))],
    hashtags,
    quote: quoteRefOf(note),
    interactionPolicy: interactionPolicyOf(note, author),
    media: await remoteAttachments(note),
    poll: await remotePollOf(note),
    // Custom emoji, kept under the author's server once the post is (clients render `emojis`).
    emojis: author.domain ? { domain: author.domain, list: emojis } : undefined,
  };
}

/**
 * An Article's `summary` is its teaser (Tern, WordPress, Ghost write the opening lines there), not
 * a content warning, unless the Article says it is sensitive; its content is shown in full.
 */
const articleSummaryIsExcerpt = (note: PostObject) =>
  note instanceof Article && Boolean(note.name) && !note.sensitive;

/**
 * snac writes `"type": "Hashtag"` under the bare ActivityStreams context, which does not define
 * that term, so JSON-LD processing (Fedify) drops those tags. When a post has no Hashtag object,
 * the `rel="tag"` links of its content (which snac, GoToSocial, Hollo and Mastodon all write) name
 * its tags instead.
 */
function hashtagsInContent(html: string): string[] {
  const names: string[] = [];
  // A plain scan, each character passed once: remote HTML must not cost more than linear time.
  for (let i = html.indexOf("<a ", 0); i >= 0; i = html.indexOf("<a ", i)) {
    const end = html.indexOf(">", i);
    const close = end < 0 ? -1 : html.indexOf("</a>", end);
    if (close < 0) break;
    const attrs = html.slice(i, end);
    const text = html.slice(end + 1, close);
    i = close + 4;
    if (attrs.length > 2_000 || text.length > 200) continue;
    if (!/\srel\s*=\s*["'][^"']*\btag\b/i.test(attrs)) continue;
    const name = /^#([\p{L}\p{N}_]+)$/u.exec(text.replace(/<[^>]*>/g, "").trim())?.[1];
    if (name) names.push(name);
  }
  return names;
}

function languageOf(note: PostObject): string | null {
  for (const c of note.contents) if (typeof c !== "string") return c.locale.baseName;
  return null;
}

/**
 * Only posts someone here asked for are kept: from an account a local user follows, mentioning a
 * local user, replying to or quoting a local post. `known.authorFollowed`: already asked.
 */
export async function isWanted(
  db: Db,
  data: RemoteStatusData,
  known: { authorFollowed?: boolean } = {},
): Promise<boolean> {
  if (known.authorFollowed ?? (await hasLocalFollower(db, data.accountId))) return true;
  if (data.mentionedAccountIds.length) {
    const [local] = await db
      .select({ id: accounts.id })
      .from(accounts)
      .where(and(inArray(accounts.id, data.mentionedAccountIds), isNull(accounts.domain)))
      .limit(1);
    if (local) return true;
  }
  if (data.quote) {
    // A post quoting one of ours: its author is to hear of it (as Mastodon keeps such quotes).
    const [quoted] = await db
      .select({ id: statuses.id })
      .from(statuses)
      .where(and(eq(statuses.uri, data.quote.uri), eq(statuses.local, true)))
      .limit(1);
    if (quoted) return true;
  }
  if (data.inReplyToUri) {
    const [parent] = await db
      .select({ id: statuses.id })
      .from(statuses)
      .where(and(eq(statuses.uri, data.inReplyToUri), eq(statuses.local, true)))
      .limit(1);
    if (parent) return true;
  }
  return false;
}
