import type { Context } from "@fedify/fedify";
import {
  Article,
  Collection,
  Create,
  Delete,
  Document,
  Hashtag,
  LanguageString,
  Mention,
  Note,
  PUBLIC_COLLECTION,
  Tombstone,
  Update,
} from "@fedify/vocab";
import { Temporal } from "@js-temporal/polyfill";
import type { Visibility } from "../../db/schema/statuses.ts";
import { htmlToPlainText } from "../../lib/html.ts";
import type { StatusBundle } from "../../services/statuses/types.ts";
import type { FedContext } from "../context.ts";
import { emojiToTag } from "./emoji.ts";
import { interactionPolicyOf } from "./interactions.ts";
import { Question, questionValues } from "./question.ts";

const instant = (d: Date) => Temporal.Instant.fromEpochMilliseconds(d.getTime());

/** Mastodon's addressing: who is in `to` and `cc` for each visibility. */
export function addressing(
  visibility: Visibility,
  followersUri: URL,
  mentionUris: URL[],
): { tos: URL[]; ccs: URL[] } {
  switch (visibility) {
    case "public":
      return { tos: [PUBLIC_COLLECTION], ccs: [followersUri, ...mentionUris] };
    case "unlisted":
      return { tos: [followersUri], ccs: [PUBLIC_COLLECTION, ...mentionUris] };
    case "private":
      return { tos: [followersUri], ccs: mentionUris };
    case "direct":
      return { tos: mentionUris, ccs: [] };
  }
}

/** An Article's `summary`: the content warning, else the opening paragraph, shortened. */
const SUMMARY_CHARS = 500;
export function articleSummary(content: string, spoilerText: string): string {
  if (spoilerText) return spoilerText;
  const first = /<p>([\s\S]*?)<\/p>/.exec(content)?.[1] ?? content;
  const chars = [...htmlToPlainText(first).replace(/\s+/g, " ").trim()];
  return chars.length <= SUMMARY_CHARS
    ? chars.join("")
    : `${chars.slice(0, SUMMARY_CHARS - 1).join("")}…`;
}

/**
 * A local status as the Note other servers receive and fetch: a Question when it has a poll, an
 * Article when it has a title (Mastodon shows an Article as its title, summary and link).
 */
export function statusToNote(
  ctx: Context<FedContext>,
  bundle: StatusBundle,
  parentUri?: string | null,
): Note | Question | Article {
  const { status, account } = bundle;
  const mentionUris = bundle.mentions.map((m) => new URL(m.uri));
  const { tos, ccs } = addressing(
    status.visibility,
    ctx.getFollowersUri(account.username),
    mentionUris,
  );
  const host = ctx.data.config.host;
  const quoted = bundle.quote ? new URL(bundle.quote.quotedUri) : null;
  const authorization =
    bundle.quote?.state === "accepted" && bundle.quote.authorizationUri
      ? new URL(bundle.quote.authorizationUri)
      : null;
  const values = {
    id: new URL(status.uri),
    attribution: ctx.getActorUri(account.username),
    tos,
    ccs,
    // content plus, when the language is known, contentMap (as Mastodon sends both).
    contents: status.language
      ? [status.content, new LanguageString(status.content, status.language)]
      : [status.content],
    summary: status.spoilerText || null,
    sensitive: status.sensitive,
    published: instant(status.createdAt),
    updated: status.editedAt ? instant(status.editedAt) : null,
    url: status.url ? new URL(status.url) : null,
    // Where other servers find its public replies (federation/dispatchers/replies.ts).
    replies: new Collection({
      id: ctx.getCollectionUri("replies", { identifier: account.username, id: status.id }),
    }),
    replyTarget:
      (parentUri ?? status.inReplyToUri) ? new URL((parentUri ?? status.inReplyToUri)!) : null,
    // Mastodon's shape (a Document per file, alt text as `name`). Fedify's vocabulary has no
    // `blurhash` or `focalPoint` yet, so those stay off until it does.
    attachments: bundle.media
      .filter((m) => m.state === "ready" && m.url)
      .map(
        (m) =>
          new Document({
            mediaType: m.contentType,
            url: new URL(m.url!),
            name: m.description,
            width: m.meta.original?.width ?? null,
            height: m.meta.original?.height ?? null,
          }),
      ),
    tags: [
      ...bundle.mentions.map(
        (m) => new Mention({ href: new URL(m.uri), name: `@${m.username}@${m.domain ?? host}` }),
      ),
      ...bundle.tags.map(
        (t) =>
          new Hashtag({
            href: new URL(`${ctx.data.config.publicUrl}/tags/${encodeURIComponent(t)}`),
            name: `#${t}`,
          }),
      ),
      ...(bundle.emojis ?? []).map((e) => emojiToTag(e, ctx.data.config.publicUrl)),
    ],
    // FEP-044f `quote`; `quoteUrl` also writes `quoteUri` and `_misskey_quote`, which Mastodon
    // 4.5 sends too for servers that only know those.
    quote: quoted,
    quoteUrl: quoted,
    quoteAuthorization: authorization,
    interactionPolicy: interactionPolicyOf(
      status.quoteApprovalPolicy,
      ctx.getActorUri(account.username),
      ctx.getFollowersUri(account.username),
    ),
  };
  if (bundle.poll) return new Question({ ...values, ...questionValues(bundle.poll) });
  if (status.title) {
    return new Article({
      ...values,
      name: status.title,
      summary: articleSummary(status.content, status.spoilerText),
    });
  }
  return new Note(values);
}

export function createActivity(ctx: Context<FedContext>, bundle: StatusBundle): Create {
  const note = statusToNote(ctx, bundle);
  return new Create({
    id: new URL(`${bundle.status.uri}/activity`),
    actor: ctx.getActorUri(bundle.account.username),
    tos: note.toIds,
    ccs: note.ccIds,
    published: note.published,
    object: note,
  });
}

export function updateActivity(ctx: Context<FedContext>, bundle: StatusBundle): Update {
  const note = statusToNote(ctx, bundle);
  const at = (bundle.status.editedAt ?? new Date()).getTime();
  return new Update({
    id: new URL(`${bundle.status.uri}#updates/${at}`),
    actor: ctx.getActorUri(bundle.account.username),
    tos: note.toIds,
    ccs: note.ccIds,
    updated: note.updated,
    object: note,
  });
}

export function deleteActivity(
  ctx: Context<FedContext>,
  username: string,
  noteUri: string,
  visibility: Visibility,
  mentionUris: URL[],
): Delete {
  const { tos, ccs } = addressing(visibility, ctx.getFollowersUri(username), mentionUris);
  return new Delete({
    id: new URL(`${noteUri}#delete`),
    actor: ctx.getActorUri(username),
    tos,
    ccs,
    object: new Tombstone({ id: new URL(noteUri) }),
  });
}
