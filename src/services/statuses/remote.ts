import { and, eq, sql } from "drizzle-orm";
import { type Db, queryRows } from "../../db/client.ts";
import { commitWithoutWaiting } from "../../db/commit.ts";
import { mentions, statuses, statusTags } from "../../db/schema/index.ts";
import type { MediaMeta, MediaType } from "../../db/schema/media.ts";
import type { InteractionPolicy, Visibility } from "../../db/schema/statuses.ts";
import { newId } from "../../lib/ids.ts";
import { countStatus } from "../accounts/counters.ts";
import { recordConversation, rewindConversations } from "../conversations/conversations.ts";
import { type RemoteEmoji, upsertRemoteEmojis } from "../emojis/emojis.ts";
import { publishEvent } from "../events/publish.ts";
import { localFollowerExists } from "../follows/local-followers.ts";
import { enqueueJob } from "../jobs.ts";
import { deleteMediaOfStatuses, syncRemoteMedia } from "../media/remote.ts";
import { notifyEdit, notifyFollowersOfPost } from "../notifications/events.ts";
import { notifyMentions } from "../notifications/notify.ts";
import { type RemotePollData, upsertRemotePoll } from "../polls/remote.ts";
import { dropQuote, type QuoteRef, recordRemoteQuote } from "../quotes/quotes.ts";
import { removeBoostsOf } from "../reblogs/reblogs.ts";
import { fanOutToHomeFeeds } from "../timelines/fanout.ts";
import { changesVersion, mentionedBy, recordEdit } from "./history.ts";
import { adoptOrphanReplies, countReplies } from "./replies.ts";
import type { Status } from "./types.ts";

/** Unknown parents fetched above one arriving reply, at most (each fetched one spends one). */
export const PARENT_FETCH_DEPTH = 5;

/** A remote post, already mapped from ActivityPub and sanitized by federation/from-ap. */
export interface RemoteStatusData {
  uri: string;
  url: string | null;
  accountId: string;
  content: string;
  spoilerText: string;
  /** An Article's `name` (a long post's title); null or absent for a Note. */
  title?: string | null;
  sensitive: boolean;
  visibility: Visibility;
  language: string | null;
  publishedAt: Date;
  editedAt: Date | null;
  inReplyToUri: string | null;
  mentionedAccountIds: string[];
  hashtags: string[];
  /** How many unknown ancestors may still be fetched above this post; default PARENT_FETCH_DEPTH. */
  parentFetchBudget?: number;
  /** The post it quotes, and the quoted author's authorization if it carries one. */
  quote?: QuoteRef | null;
  /** Its published `interactionPolicy` (GoToSocial, Mastodon 4.5); null: none published. */
  interactionPolicy?: InteractionPolicy | null;
  /** Its attachments, as links to the remote files (validated by federation/from-ap). */
  media?: RemoteMediaData[];
  /** A `Question`'s poll; null: the post has none (an edit may remove one); undefined: not said. */
  poll?: RemotePollData | null;
  /** Its `Emoji` tags, stored with the post under its author's domain. */
  emojis?: { domain: string; list: RemoteEmoji[] };
}

export interface RemoteMediaData {
  type: MediaType;
  url: string;
  contentType: string | null;
  description: string | null;
  meta: MediaMeta;
}

export interface UpsertOptions {
  /**
   * The caller found no post with this uri: none is looked up and locked first, and a concurrent
   * delivery that stored it meanwhile makes this a no-op (null), never an edit.
   */
  knownNew?: boolean;
  /** Also writes it into the home and list feeds it belongs to, in the same transaction. */
  fanOut?: boolean;
  /**
   * Called from a queued job, which is deleted after this in a commit that waits for the disk:
   * this commit need not wait. PostgreSQL flushes its log in order, so once the job's deletion
   * is on disk this transaction is too; should the machine stop before, the job runs again and
   * stores the post again. Commits are most of the time an author's counter row stays locked.
   */
  fromQueuedJob?: boolean;
}

/**
 * Stores a remote post, or updates it when it is already known (a repeated Create, an Update).
 * Returns null when the uri belongs to another author (an update can never move a post), or when
 * a concurrent delivery of the same post (Hollo sends to personal and shared inbox at once)
 * stored it first.
 */
export async function upsertRemoteStatus(
  db: Db,
  data: RemoteStatusData,
  opts: UpsertOptions = {},
): Promise<{ status: Status; created: boolean; readers: number } | null> {
  return db.transaction(async (tx) => {
    const [existing] = opts.knownNew
      ? []
      : await tx.select().from(statuses).where(eq(statuses.uri, data.uri)).for("update");
    if (existing && existing.accountId !== data.accountId) return null;
    const [parent] = data.inReplyToUri
      ? await tx
          .select({ id: statuses.id, accountId: statuses.accountId })
          .from(statuses)
          .where(eq(statuses.uri, data.inReplyToUri))
      : [];
    const fields = {
      url: data.url,
      content: data.content,
      spoilerText: data.spoilerText,
      title: data.title ?? null,
      sensitive: data.sensitive || data.spoilerText !== "",
      language: data.language,
      inReplyToUri: data.inReplyToUri,
      inReplyToId: parent?.id ?? null,
      inReplyToAccountId: parent?.accountId ?? null,
      interactionPolicy: data.interactionPolicy ?? null,
    };
    const budget = data.parentFetchBudget ?? PARENT_FETCH_DEPTH;
    const needsParent =
      data.inReplyToUri !== null && data.inReplyToUri !== data.uri && !parent && budget > 0;
    let status: Status;
    let edited = false;
    let newlyMentioned: string[] = [];
    if (existing) {
      // An Update older than the version shown (delivered out of order) must not revert it.
      if (data.editedAt && existing.editedAt && data.editedAt < existing.editedAt)
        return { status: existing, created: false, readers: 0 };
      // Only a real change is an edit: a repeated Create, or GoToSocial's poll-count Update
      // (same id, same text), neither adds a version nor marks the post edited.
      edited = changesVersion(existing, fields);
      const earlier = await mentionedBy(tx, existing.id);
      newlyMentioned = data.mentionedAccountIds.filter((id) => !earlier.has(id));
      [status] = await tx
        .update(statuses)
        .set({
          ...fields,
          editedAt: edited ? (data.editedAt ?? new Date()) : existing.editedAt,
        })
        .where(eq(statuses.id, existing.id))
        .returning();
      if (edited) await recordEdit(tx, existing, fields, status.editedAt ?? new Date());
      if (edited) await publishEvent(tx, { t: "status.update", id: status.id });
      await tx.delete(mentions).where(eq(mentions.statusId, status.id));
      await tx.delete(statusTags).where(eq(statusTags.statusId, status.id));
      // An edit that changes (or first resolves) the parent moves the reply between counters.
      if (existing.inReplyToId !== status.inReplyToId) {
        if (existing.inReplyToId) await countReplies(tx, existing.inReplyToId, -1);
        if (status.inReplyToId) await countReplies(tx, status.inReplyToId, 1);
      }
    } else {
      // Ids sort by time: mint from the published date (never from the future).
      const id = newId(Math.min(data.publishedAt.getTime(), Date.now()));
      const [inserted] = await tx
        .insert(statuses)
        .values({
          id,
          uri: data.uri,
          accountId: data.accountId,
          visibility: data.visibility,
          local: false,
          createdAt: data.publishedAt,
          ...fields,
        })
        .onConflictDoNothing({ target: statuses.uri })
        .returning();
      if (!inserted) return null;
      status = inserted;
    }
    // The fan-out reads the post's mentions and tags: they are written first.
    const tags = [...new Set(data.hashtags.map((t) => t.toLowerCase()))];
    await Promise.all([
      data.mentionedAccountIds.length
        ? tx
            .insert(mentions)
            .values(
              data.mentionedAccountIds.map((accountId) => ({ statusId: status.id, accountId })),
            )
            .onConflictDoNothing()
        : undefined,
      tags.length
        ? tx
            .insert(statusTags)
            .values(tags.map((name) => ({ statusId: status.id, name })))
            .onConflictDoNothing()
        : undefined,
    ]);
    // None of the rest reads what another of them writes, so they are sent together: one round
    // trip for all instead of one each (this connection still runs them one after another).
    const [readers] = await Promise.all([
      opts.fanOut ? fanOutToHomeFeeds(tx, status.id) : 0,
      opts.fromQueuedJob ? commitWithoutWaiting(tx) : undefined,
      existing ? undefined : adoptOrphanReplies(tx, status),
      existing ? undefined : publishEvent(tx, { t: "status", id: status.id }),
      // Fetched by the worker after commit: the inbox never waits for another server.
      !existing && needsParent
        ? enqueueJob(tx, { type: "status.fetch_parent", uri: data.inReplyToUri!, budget })
        : undefined,
      existing ? undefined : notifyMentions(tx, status, data.mentionedAccountIds),
      existing ? undefined : notifyFollowersOfPost(tx, status),
      existing ? undefined : recordConversation(tx, status, data.mentionedAccountIds),
      edited ? notifyEdit(tx, status, newlyMentioned) : undefined,
      // A new post has no quote or media rows yet: without any to record, nothing to look up.
      existing || data.quote ? recordRemoteQuote(tx, status, data.quote ?? null) : undefined,
      upsertRemotePoll(tx, status, data.poll, !existing),
      // Kept rows keep their copies: an Update no longer re-inserts every attachment.
      existing || data.media?.length
        ? syncRemoteMedia(tx, status.id, data.accountId, data.media ?? [])
        : undefined,
      data.emojis ? upsertRemoteEmojis(tx, data.emojis.domain, data.emojis.list) : undefined,
      // Counted last: the author's (and parent's) counter row stays locked until commit, so
      // concurrent posts of one author wait on it for as short a time as possible.
      existing ? undefined : countStatus(tx, status, 1),
      !existing && parent ? countReplies(tx, parent.id, 1) : undefined,
    ]);
    return { status, created: !existing, readers };
  });
}

/** Deletes a remote post if `accountId` wrote it; true when something was deleted. */
export async function deleteRemoteStatus(db: Db, uri: string, accountId: string): Promise<boolean> {
  return db.transaction(async (tx) => {
    const [target] = await tx
      .select({ id: statuses.id })
      .from(statuses)
      .where(
        and(eq(statuses.uri, uri), eq(statuses.accountId, accountId), eq(statuses.local, false)),
      );
    if (!target) return false;
    await dropQuote(tx, target.id);
    await deleteMediaOfStatuses(tx, [target.id]);
    // Its boosts go first, counted down (the cascade would leave their boosters' counts).
    await removeBoostsOf(tx, target.id);
    await rewindConversations(tx, target.id);
    const rows = await tx.delete(statuses).where(eq(statuses.id, target.id)).returning();
    // A repeated Delete removes nothing and counts nothing.
    for (const row of rows) {
      await countStatus(tx, row, -1);
      if (row.inReplyToId) await countReplies(tx, row.inReplyToId, -1);
      await publishEvent(tx, { t: "delete", id: row.id });
    }
    return rows.length > 0;
  });
}

export async function findStatusByUri(db: Db, uri: string): Promise<Status | undefined> {
  const [row] = await db.select().from(statuses).where(eq(statuses.uri, uri));
  return row;
}

/**
 * What an arriving Create is asked first, in one statement: whether its post is stored already
 * (a re-delivery), and whether a local account follows its author (then it is wanted).
 */
export async function arrivalOf(
  db: Db,
  uri: string,
  authorId: string,
): Promise<{ known: boolean; authorFollowed: boolean }> {
  const [row] = await queryRows<{ known: boolean; followed: boolean }>(
    db,
    sql`select exists (select 1 from statuses where uri = ${uri}) as known,
      ${localFollowerExists(authorId)} as followed`,
  );
  return { known: row.known, authorFollowed: row.followed };
}
