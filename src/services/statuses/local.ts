import { and, eq } from "drizzle-orm";
import type { Config } from "../../config/index.ts";
import type { Db, Tx } from "../../db/client.ts";
import { idempotencyKeys, mentions, statuses, statusTags } from "../../db/schema/index.ts";
import type { QuotePolicy, Visibility } from "../../db/schema/statuses.ts";
import { AppError, notFound } from "../../lib/errors.ts";
import { newId } from "../../lib/ids.ts";
import type { MentionTarget } from "../../lib/text-to-html.ts";
import { localStatusUrls } from "../../lib/urls.ts";
import type { Account } from "../accounts/accounts.ts";
import { countStatus } from "../accounts/counters.ts";
import { localUserOf } from "../accounts/profile.ts";
import { recordConversation, rewindConversations } from "../conversations/conversations.ts";
import { publishEvent } from "../events/publish.ts";
import { assertRemoteAllows } from "../interactions/remote-policy.ts";
import { enqueueJob } from "../jobs.ts";
import { attachMedia, checkAttachable, type MediaAttributes } from "../media/attach.ts";
import { fileKeysOf } from "../media/media.ts";
import { notifyEdit, notifyFollowersOfPost } from "../notifications/events.ts";
import { notifyMentions } from "../notifications/notify.ts";
import { checkPoll, createPoll, editPoll, type PollInput } from "../polls/polls.ts";
import { defaultQuotePolicy, effectiveQuotePolicy } from "../quotes/policy.ts";
import { dropQuote, quoteTarget, recordLocalQuote } from "../quotes/quotes.ts";
import { removeBoostsOf, unreblogStatus } from "../reblogs/reblogs.ts";
import { recordMemberAction } from "../teams/audit.ts";
import { changesVersion, mentionedBy, recordEdit } from "./history.ts";
import { loadBundle } from "./load.ts";
import { type RemoteMentionResolver, renderStatusText } from "./mentions.ts";
import { countReplies } from "./replies.ts";
import type { Status, StatusBundle } from "./types.ts";
import { canView } from "./visibility.ts";

/** What a local post's `source` is written in (`content_type` of the API). */
export const contentTypes = ["text/plain", "text/markdown"] as const;
export type ContentType = (typeof contentTypes)[number];

/** Longest title of a long post (an Article's `name`). */
export const MAX_TITLE_CHARS = 200;

export interface StatusInput {
  status: string;
  /** How `status` is written; unsaid: plain text (on an edit: as the post was written). */
  contentType?: ContentType;
  /** A long post's title: it federates as an Article; on an edit, undefined keeps it, "" drops it. */
  title?: string;
  /** Finds remote accounts mentioned by handle that this server does not know yet. */
  resolveMention?: RemoteMentionResolver;
  visibility?: Visibility;
  spoilerText?: string;
  sensitive?: boolean;
  inReplyToId?: string;
  language?: string;
  /** The status it quotes (Mastodon 4.5's `quoted_status_id`). */
  quotedStatusId?: string;
  /** Who may quote it (`quote_approval_policy`); default: the account's default. */
  quotePolicy?: QuotePolicy;
  /** Uploads to attach, in order; on an edit, undefined keeps the post's media as they are. */
  mediaIds?: string[];
  /** Edits only: new alt text or focus of media the post keeps. */
  mediaAttributes?: MediaAttributes[];
  /** Its poll; on an edit, undefined removes the poll (as Mastodon's edit does). */
  poll?: PollInput;
}

const renderInput = (db: Tx, config: Config, input: StatusInput, contentType: ContentType) =>
  renderStatusText(db, config, input.status, input.resolveMention, contentType);

/** Set when a team member's token acts for the author: the team audit log records the member. */
export interface MemberAction {
  grantedByAccountId?: string | null;
}

/** Thrown inside the transaction to undo a post whose Idempotency-Key another request claimed. */
class KeyTaken extends Error {}

/**
 * Marked sensitive by the author or a content warning, or forced: the moderators marked the
 * author's media sensitive (`sensitized_at`) and the post carries media.
 */
function forcedSensitive(
  author: Account,
  input: { sensitive?: boolean; spoilerText?: string },
  mediaIds: string[],
): boolean {
  if (author.sensitizedAt && mediaIds.length > 0) return true;
  return Boolean(input.sensitive || input.spoilerText);
}

/** Posts a status for a local account; delivery and fan-out are queued in the same transaction. */
export async function createLocalStatus(
  db: Db,
  config: Config,
  author: Account,
  input: StatusInput & { idempotencyKey?: string } & MemberAction,
): Promise<StatusBundle> {
  const key = input.idempotencyKey;
  const earlier = async () => {
    if (!key) return undefined;
    const [seen] = await db
      .select({ statusId: idempotencyKeys.statusId })
      .from(idempotencyKeys)
      .where(and(eq(idempotencyKeys.accountId, author.id), eq(idempotencyKeys.key, key)));
    return seen ? loadBundle(db, seen.statusId) : undefined;
  };
  const seen = await earlier();
  if (seen) return seen;
  validate(input, config.maxStatusChars);
  await checkAttachable(db, author.id, input.mediaIds ?? []);
  const parent = input.inReplyToId ? await replyTarget(db, input.inReplyToId, author.id) : null;
  if (parent) await assertRemoteAllows(db, author, parent, "reply");
  const quoted = input.quotedStatusId ? await quoteTarget(db, author, input.quotedStatusId) : null;
  const user = await localUserOf(db, author.id);
  // Unsaid: the author's default (the studio's setting, `local_users.default_content_type`).
  const contentType = input.contentType ?? user?.defaultContentType ?? "text/plain";
  const formatted = await renderInput(db, config, input, contentType);
  const id = newId();
  // Unsaid: the author's default (`source[privacy]` of update_credentials).
  const visibility = input.visibility ?? user?.defaultPrivacy ?? "public";
  const quotePolicy = effectiveQuotePolicy(
    visibility,
    input.quotePolicy,
    await defaultQuotePolicy(db, author.id),
  );
  const posted = await db
    .transaction(async (tx) => {
      const [stored] = await tx
        .insert(statuses)
        .values({
          id,
          ...localStatusUrls(config.publicUrl, author.username, id),
          accountId: author.id,
          inReplyToId: parent?.id ?? null,
          inReplyToUri: parent?.uri ?? null,
          inReplyToAccountId: parent?.accountId ?? null,
          content: formatted.html,
          source: input.status,
          contentType,
          title: input.title?.trim() || null,
          spoilerText: input.spoilerText ?? "",
          sensitive: forcedSensitive(author, input, input.mediaIds ?? []),
          visibility,
          language: input.language ?? null,
          local: true,
          quoteApprovalPolicy: quotePolicy,
        })
        .returning();
      if (quoted) await recordLocalQuote(tx, config.publicUrl, stored, author, quoted);
      await writeMentionsAndTags(tx, id, formatted.mentions, formatted.hashtags);
      if (input.mediaIds?.length) await attachMedia(tx, author.id, id, input.mediaIds);
      const mentioned = formatted.mentions.map((m) => m.id);
      if (input.poll) await createPoll(tx, stored, input.poll);
      await recordConversation(tx, stored, mentioned);
      await notifyMentions(tx, { id, accountId: author.id }, mentioned);
      await notifyFollowersOfPost(tx, stored);
      if (parent) await countReplies(tx, parent.id, 1);
      if (key) {
        // A retry racing the first request: the one whose key lands first wins, the other rolls back.
        const [claimed] = await tx
          .insert(idempotencyKeys)
          .values({ accountId: author.id, key, statusId: id })
          .onConflictDoNothing()
          .returning();
        if (!claimed) throw new KeyTaken();
      }
      await countStatus(tx, stored, 1);
      await recordMemberAction(tx, input.grantedByAccountId, {
        accountId: author.id,
        action: "status.create",
        statusId: id,
      });
      await enqueueJob(tx, { type: "status.created", statusId: id });
      await publishEvent(tx, { t: "status", id });
      return true;
    })
    .catch((err: unknown) => {
      if (err instanceof KeyTaken) return false;
      throw err;
    });
  if (!posted) {
    const winner = await earlier();
    if (winner) return winner;
    throw new AppError(409, "Another request with this Idempotency-Key is still being processed");
  }
  return loadBundle(db, id);
}

/** Edits a local status (text, content warning, sensitivity, language); visibility stays. */
export async function editLocalStatus(
  db: Db,
  config: Config,
  author: Account,
  statusId: string,
  input: StatusInput & MemberAction,
): Promise<StatusBundle> {
  const status = await ownStatus(db, author, statusId);
  const bundle = await loadBundle(db, status.id);
  const audit = (tx: Tx) =>
    recordMemberAction(tx, input.grantedByAccountId, {
      accountId: author.id,
      action: "status.update",
      statusId: status.id,
    });
  const keptMedia = input.mediaIds ?? bundle.media.map((m) => m.id);
  validate({ ...input, mediaIds: keptMedia }, config.maxStatusChars);
  if (input.mediaIds) await checkAttachable(db, author.id, input.mediaIds, status.id);
  const contentType =
    input.contentType ?? (status.contentType as ContentType | null) ?? "text/plain";
  const title = input.title === undefined ? status.title : input.title.trim() || null;
  const formatted = await renderInput(db, config, input, contentType);
  await db.transaction(async (tx) => {
    // Locked: two edits at once must each keep the version they replaced.
    const [before] = await tx
      .select()
      .from(statuses)
      .where(eq(statuses.id, status.id))
      .for("update");
    if (!before) throw notFound();
    const next = {
      content: formatted.html,
      spoilerText: input.spoilerText ?? "",
      sensitive: forcedSensitive(author, input, keptMedia),
      language: input.language ?? before.language,
    };
    const quoteApprovalPolicy = effectiveQuotePolicy(
      before.visibility,
      input.quotePolicy,
      before.quoteApprovalPolicy,
    );
    const pollChanged = await editPoll(tx, before, input.poll);
    // Saving the same text again is no edit: no version, no edited_at. A new quote policy alone
    // is saved and sent (other servers read it from the Note) without a version.
    if (!pollChanged && title === before.title && !changesVersion(before, next)) {
      if (quoteApprovalPolicy === before.quoteApprovalPolicy) return;
      await tx.update(statuses).set({ quoteApprovalPolicy }).where(eq(statuses.id, status.id));
      await audit(tx);
      await enqueueJob(tx, { type: "status.updated", statusId: status.id });
      return;
    }
    const editedAt = new Date();
    const earlier = await mentionedBy(tx, status.id);
    await tx
      .update(statuses)
      .set({ ...next, source: input.status, contentType, title, quoteApprovalPolicy, editedAt })
      .where(eq(statuses.id, status.id));
    await tx.delete(mentions).where(eq(mentions.statusId, status.id));
    await tx.delete(statusTags).where(eq(statusTags.statusId, status.id));
    await writeMentionsAndTags(tx, status.id, formatted.mentions, formatted.hashtags);
    await recordEdit(tx, before, next, editedAt);
    const added = formatted.mentions.map((m) => m.id).filter((id) => !earlier.has(id));
    await notifyEdit(tx, before, added);
    await attachMedia(tx, author.id, status.id, keptMedia, input.mediaAttributes);
    await audit(tx);
    await enqueueJob(tx, { type: "status.updated", statusId: status.id });
    await publishEvent(tx, { t: "status.update", id: status.id });
  });
  return loadBundle(db, status.id);
}

/** Deletes a local status and queues its Delete; returns it as it was (clients redraft from it). */
export async function deleteLocalStatus(
  db: Db,
  author: Account,
  statusId: string,
  opts: MemberAction = {},
): Promise<StatusBundle> {
  const status = await ownStatus(db, author, statusId);
  const bundle = await loadBundle(db, status.id);
  // Deleting one's boost takes it back (Undo(Announce)), as on Mastodon.
  if (status.reblogOfId) {
    await unreblogStatus(db, author, status.reblogOfId);
    return bundle;
  }
  await db.transaction(async (tx) => {
    await dropQuote(tx, status.id);
    // Its boosts go with it (counted down); their servers are sent the Delete too.
    const rebloggerAccountIds = await removeBoostsOf(tx, status.id);
    // Two deletes racing: only the one that removed the row counts it.
    const files = fileKeysOf(bundle.media);
    if (files.length) await enqueueJob(tx, { type: "media.delete_files", keys: files });
    await rewindConversations(tx, status.id);
    const gone = await tx.delete(statuses).where(eq(statuses.id, status.id)).returning();
    for (const row of gone) {
      // The status is gone: the log keeps its id and address in the detail.
      await recordMemberAction(tx, opts.grantedByAccountId, {
        accountId: author.id,
        action: "status.delete",
        detail: { statusId: row.id, uri: row.uri },
      });
      await countStatus(tx, row, -1);
      if (row.inReplyToId) await countReplies(tx, row.inReplyToId, -1);
      await publishEvent(tx, { t: "delete", id: row.id });
    }
    await enqueueJob(tx, {
      type: "status.deleted",
      statusId: status.id,
      uri: status.uri,
      accountId: author.id,
      visibility: status.visibility,
      mentionedAccountIds: bundle.mentions.map((m) => m.id),
      inReplyToAccountId: status.inReplyToAccountId,
      rebloggerAccountIds,
    });
  });
  return bundle;
}

/** A status as `viewerId` may see it, or 404 (never revealing that a hidden one exists). */
export async function getVisibleStatus(
  db: Tx,
  statusId: string,
  viewerId: string | null,
): Promise<StatusBundle> {
  const bundle = await loadBundle(db, statusId);
  if (!(await canView(db, bundle.status, viewerId))) throw notFound();
  return bundle;
}

/** What a link counts for, whatever its length (Mastodon's `characters_reserved_per_url`). */
export const CHARS_PER_URL = 23;
const COUNTED_URL_RE = /(?<![\p{L}\p{N}_])https?:\/\/[^\s<>"]+/giu;
const REMOTE_MENTION_RE =
  /(?<![\p{L}\p{N}_=/@])(@[a-z0-9_]+(?:[.-]+[a-z0-9_]+)*)@[\p{L}\p{N}._:-]+/giu;

/**
 * Characters as Mastodon counts them (and clients show them left): code points, a link counts
 * as 23 whatever its length, and a mention's domain is free (`@bob@example.com` counts `@bob`).
 */
export function countedLength(text: string): number {
  const countable = text
    .replace(COUNTED_URL_RE, "x".repeat(CHARS_PER_URL))
    .replace(REMOTE_MENTION_RE, "$1");
  return [...countable].length;
}

function validate(input: StatusInput, maxChars: number): void {
  if (input.poll) {
    if (input.mediaIds?.length)
      throw new AppError(422, "Validation failed: a post cannot have both media and a poll");
    checkPoll(input.poll);
  }
  // Whitespace only is blank too: it would render as an empty post.
  if (input.status.trim() === "" && !input.mediaIds?.length)
    throw new AppError(422, "Validation failed: Text can't be blank");
  const length = countedLength(input.status);
  if (length > maxChars) {
    throw new AppError(422, `Validation failed: Text character limit of ${maxChars} exceeded`);
  }
  if (input.title && [...input.title].length > MAX_TITLE_CHARS) {
    throw new AppError(
      422,
      `Validation failed: title is longer than ${MAX_TITLE_CHARS} characters`,
    );
  }
}

/** One of the author's own statuses (to read its source, edit or delete it), or 404. */
export async function ownStatus(db: Tx, author: Account, statusId: string): Promise<Status> {
  const [status] = await db.select().from(statuses).where(eq(statuses.id, statusId));
  if (!status) throw notFound();
  // Someone else's post is "not found", as on Mastodon: a 403 would confirm a hidden one exists.
  if (status.accountId !== author.id) throw notFound();
  return status;
}

async function replyTarget(db: Tx, id: string, viewerId: string): Promise<Status> {
  try {
    return (await getVisibleStatus(db, id, viewerId)).status;
  } catch {
    throw new AppError(422, "Validation failed: the status you are replying to does not exist");
  }
}

async function writeMentionsAndTags(
  tx: Tx,
  statusId: string,
  targets: MentionTarget[],
  hashtags: string[],
) {
  if (targets.length)
    await tx
      .insert(mentions)
      .values(targets.map((m) => ({ statusId, accountId: m.id })))
      .onConflictDoNothing();
  const names = [...new Set(hashtags.map((h) => h.toLowerCase()))];
  if (names.length)
    await tx
      .insert(statusTags)
      .values(names.map((name) => ({ statusId, name })))
      .onConflictDoNothing();
}
