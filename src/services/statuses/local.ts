import { and, eq, isNull, or, sql } from "drizzle-orm";
import type { Config } from "../../config/index.ts";
import type { Db, Tx } from "../../db/client.ts";
import { accounts, idempotencyKeys, mentions, statuses, statusTags } from "../../db/schema/index.ts";
import type { Visibility } from "../../db/schema/statuses.ts";
import { AppError, notFound } from "../../lib/errors.ts";
import { newId } from "../../lib/ids.ts";
import { extractMentions, formatStatusText, type MentionTarget } from "../../lib/text-to-html.ts";
import { localStatusUrls } from "../../lib/urls.ts";
import type { Account } from "../accounts/accounts.ts";
import { enqueueJob } from "../jobs.ts";
import { loadBundle } from "./load.ts";
import type { Status, StatusBundle } from "./types.ts";
import { canView } from "./visibility.ts";

export const MAX_STATUS_CHARS = 500;

export interface StatusInput {
  status: string;
  visibility?: Visibility;
  spoilerText?: string;
  sensitive?: boolean;
  inReplyToId?: string;
  language?: string;
}

/** Posts a status for a local account; delivery and fan-out are queued in the same transaction. */
export async function createLocalStatus(
  db: Db,
  config: Config,
  author: Account,
  input: StatusInput & { idempotencyKey?: string },
): Promise<StatusBundle> {
  if (input.idempotencyKey) {
    const [seen] = await db
      .select({ statusId: idempotencyKeys.statusId })
      .from(idempotencyKeys)
      .where(and(eq(idempotencyKeys.accountId, author.id), eq(idempotencyKeys.key, input.idempotencyKey)));
    if (seen) return loadBundle(db, seen.statusId);
  }
  validate(input);
  const parent = input.inReplyToId ? await replyTarget(db, input.inReplyToId, author.id) : null;
  const formatted = await format(db, config, input.status);
  const id = newId();
  const visibility = input.visibility ?? "public";
  await db.transaction(async (tx) => {
    await tx.insert(statuses).values({
      id,
      ...localStatusUrls(config.publicUrl, author.username, id),
      accountId: author.id,
      inReplyToId: parent?.id ?? null,
      inReplyToUri: parent?.uri ?? null,
      inReplyToAccountId: parent?.accountId ?? null,
      content: formatted.html,
      source: input.status,
      spoilerText: input.spoilerText ?? "",
      sensitive: Boolean(input.sensitive || input.spoilerText),
      visibility,
      language: input.language ?? null,
      local: true,
    });
    await writeMentionsAndTags(tx, id, formatted.mentions, formatted.hashtags);
    if (input.idempotencyKey) {
      await tx.insert(idempotencyKeys).values({ accountId: author.id, key: input.idempotencyKey, statusId: id });
    }
    await enqueueJob(tx, { type: "status.created", statusId: id });
  });
  return loadBundle(db, id);
}

/** Edits a local status (text, content warning, sensitivity, language); visibility stays. */
export async function editLocalStatus(
  db: Db,
  config: Config,
  author: Account,
  statusId: string,
  input: StatusInput,
): Promise<StatusBundle> {
  const status = await ownStatus(db, author, statusId);
  validate(input);
  const formatted = await format(db, config, input.status);
  await db.transaction(async (tx) => {
    await tx
      .update(statuses)
      .set({
        content: formatted.html,
        source: input.status,
        spoilerText: input.spoilerText ?? "",
        sensitive: Boolean(input.sensitive || input.spoilerText),
        language: input.language ?? status.language,
        editedAt: new Date(),
      })
      .where(eq(statuses.id, status.id));
    await tx.delete(mentions).where(eq(mentions.statusId, status.id));
    await tx.delete(statusTags).where(eq(statusTags.statusId, status.id));
    await writeMentionsAndTags(tx, status.id, formatted.mentions, formatted.hashtags);
    await enqueueJob(tx, { type: "status.updated", statusId: status.id });
  });
  return loadBundle(db, status.id);
}

/** Deletes a local status and queues its Delete; returns it as it was (clients redraft from it). */
export async function deleteLocalStatus(db: Db, author: Account, statusId: string): Promise<StatusBundle> {
  const status = await ownStatus(db, author, statusId);
  const bundle = await loadBundle(db, status.id);
  await db.transaction(async (tx) => {
    await tx.delete(statuses).where(eq(statuses.id, status.id));
    await enqueueJob(tx, {
      type: "status.deleted",
      statusId: status.id,
      uri: status.uri,
      accountId: author.id,
      visibility: status.visibility,
      mentionedAccountIds: bundle.mentions.map((m) => m.id),
    });
  });
  return bundle;
}

/** A status as `viewerId` may see it, or 404 (never revealing that a hidden one exists). */
export async function getVisibleStatus(db: Tx, statusId: string, viewerId: string | null): Promise<StatusBundle> {
  const bundle = await loadBundle(db, statusId);
  if (!(await canView(db, bundle.status, viewerId))) throw notFound();
  return bundle;
}

function validate(input: StatusInput): void {
  const length = [...input.status].length;
  if (length === 0) throw new AppError(422, "Validation failed: Text can't be blank");
  if (length > MAX_STATUS_CHARS) {
    throw new AppError(422, `Validation failed: Text character limit of ${MAX_STATUS_CHARS} exceeded`);
  }
}

async function ownStatus(db: Tx, author: Account, statusId: string): Promise<Status> {
  const [status] = await db.select().from(statuses).where(eq(statuses.id, statusId));
  if (!status) throw notFound();
  if (status.accountId !== author.id) throw new AppError(403, "This action is not allowed");
  return status;
}

async function replyTarget(db: Tx, id: string, viewerId: string): Promise<Status> {
  try {
    return (await getVisibleStatus(db, id, viewerId)).status;
  } catch {
    throw new AppError(422, "Validation failed: the status you are replying to does not exist");
  }
}

/** Renders the text; mentions resolve only to accounts this server already knows. */
async function format(db: Tx, config: Config, text: string) {
  const wanted = extractMentions(text);
  const known = wanted.length
    ? await db
        .select()
        .from(accounts)
        .where(
          or(
            ...wanted.map((m) =>
              and(
                sql`lower(${accounts.username}) = lower(${m.username})`,
                !m.domain || m.domain.toLowerCase() === config.host.toLowerCase()
                  ? isNull(accounts.domain)
                  : sql`lower(${accounts.domain}) = lower(${m.domain})`,
              ),
            ),
          ),
        )
    : [];
  return formatStatusText(text, {
    publicUrl: config.publicUrl,
    localHost: config.host,
    resolveMention(username, domain) {
      const local = !domain || domain.toLowerCase() === config.host.toLowerCase();
      const hit = known.find(
        (a) =>
          a.username.toLowerCase() === username.toLowerCase() &&
          (local ? a.domain === null : a.domain?.toLowerCase() === domain?.toLowerCase()),
      );
      return hit ? { id: hit.id, username: hit.username, domain: hit.domain, url: hit.url ?? hit.uri, uri: hit.uri } : undefined;
    },
  });
}

async function writeMentionsAndTags(tx: Tx, statusId: string, targets: MentionTarget[], hashtags: string[]) {
  if (targets.length) await tx.insert(mentions).values(targets.map((m) => ({ statusId, accountId: m.id }))).onConflictDoNothing();
  const names = [...new Set(hashtags.map((h) => h.toLowerCase()))];
  if (names.length) await tx.insert(statusTags).values(names.map((name) => ({ statusId, name }))).onConflictDoNothing();
}

