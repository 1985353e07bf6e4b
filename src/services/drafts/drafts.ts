import { and, count, eq, inArray, sql } from "drizzle-orm";
import type { Config } from "../../config/index.ts";
import type { Db, Tx } from "../../db/client.ts";
import { drafts, mediaAttachments } from "../../db/schema/index.ts";
import { AppError, notFound } from "../../lib/errors.ts";
import { newId } from "../../lib/ids.ts";
import type { Account } from "../accounts/accounts.ts";
import type { Media } from "../media/media.ts";
import { keyset, type Page } from "../paging.ts";
import { type ScheduledStatus, scheduleStatus } from "../scheduled/scheduled.ts";
import { createLocalStatus, type StatusInput } from "../statuses/local.ts";
import type { StatusBundle } from "../statuses/types.ts";

/** Caps: drafts are cheap to make, so an account cannot fill the database with them. */
export const MAX_DRAFTS_PER_ACCOUNT = 1_000;
export const MAX_DRAFT_BYTES = 20_000;

export type DraftRow = typeof drafts.$inferSelect;
/** A draft with the uploads it names that are still its author's (for the composer to show). */
export interface Draft extends DraftRow {
  media: Media[];
}

export async function listDrafts(db: Tx, accountId: string, page: Page): Promise<Draft[]> {
  const k = keyset(drafts.id, page);
  const rows = await db
    .select()
    .from(drafts)
    .where(and(eq(drafts.accountId, accountId), ...k.where))
    .orderBy(k.order)
    .limit(page.limit);
  return withMedia(db, accountId, k.newestFirst(rows));
}

export async function getDraft(db: Tx, accountId: string, id: string): Promise<Draft> {
  const [row] = await db
    .select()
    .from(drafts)
    .where(and(eq(drafts.id, id), eq(drafts.accountId, accountId)));
  if (!row) throw notFound();
  return (await withMedia(db, accountId, [row]))[0];
}

/** `params`: what `POST /api/v1/statuses` takes, possibly incomplete (checked by the caller). */
export async function createDraft(
  db: Db,
  accountId: string,
  params: Record<string, unknown>,
): Promise<Draft> {
  checkSize(params);
  const id = newId();
  await db.transaction(async (tx) => {
    // Counted under a per-account lock, so that parallel requests cannot pass the cap together.
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`tern.drafts:${accountId}`}))`);
    const [{ n }] = await tx
      .select({ n: count() })
      .from(drafts)
      .where(eq(drafts.accountId, accountId));
    if (n >= MAX_DRAFTS_PER_ACCOUNT)
      throw new AppError(
        422,
        `Validation failed: You have reached the limit of ${MAX_DRAFTS_PER_ACCOUNT} drafts`,
      );
    await tx.insert(drafts).values({ id, accountId, params });
  });
  return getDraft(db, accountId, id);
}

/** Replaces the draft's parameters as a whole (what the composer has now). */
export async function updateDraft(
  db: Db,
  accountId: string,
  id: string,
  params: Record<string, unknown>,
): Promise<Draft> {
  checkSize(params);
  const updated = await db
    .update(drafts)
    .set({ params, updatedAt: new Date() })
    .where(and(eq(drafts.id, id), eq(drafts.accountId, accountId)))
    .returning({ id: drafts.id });
  if (updated.length === 0) throw notFound();
  return getDraft(db, accountId, id);
}

export async function deleteDraft(db: Db, accountId: string, id: string): Promise<void> {
  const gone = await db
    .delete(drafts)
    .where(and(eq(drafts.id, id), eq(drafts.accountId, accountId)))
    .returning({ id: drafts.id });
  if (gone.length === 0) throw notFound();
}

export type Published =
  | { kind: "status"; bundle: StatusBundle }
  | { kind: "scheduled"; scheduled: ScheduledStatus };

/**
 * Posts the draft now, or schedules it for `scheduleAt`, and deletes it in the same transaction:
 * a failed post keeps the draft, a published draft is gone. `input` was read from `draft` by the
 * caller; a draft saved again meanwhile (another `updated_at`) is a 409 rather than the older
 * text being published.
 */
export async function publishDraft(
  db: Db,
  config: Config,
  author: Account,
  draft: DraftRow,
  input: StatusInput,
  schedule?: { at: Date; applicationId?: string | null },
): Promise<Published> {
  return db.transaction(async (tx) => {
    const gone = await tx
      .delete(drafts)
      .where(
        and(
          eq(drafts.id, draft.id),
          eq(drafts.accountId, author.id),
          // To the millisecond, as JavaScript read it.
          sql`date_trunc('milliseconds', ${drafts.updatedAt}) = ${draft.updatedAt.toISOString()}::timestamptz`,
        ),
      )
      .returning({ id: drafts.id });
    if (gone.length === 0) {
      const [still] = await tx
        .select({ id: drafts.id })
        .from(drafts)
        .where(eq(drafts.id, draft.id));
      if (still) throw new AppError(409, "The draft was changed meanwhile; publish it again");
      throw notFound();
    }
    if (schedule) {
      const scheduled = await scheduleStatus(tx as Db, config, author, input, schedule.at, {
        applicationId: schedule.applicationId,
      });
      return { kind: "scheduled", scheduled };
    }
    return { kind: "status", bundle: await createLocalStatus(tx as Db, config, author, input) };
  });
}

function checkSize(params: Record<string, unknown>): void {
  if (Buffer.byteLength(JSON.stringify(params)) > MAX_DRAFT_BYTES)
    throw new AppError(422, `Validation failed: a draft holds at most ${MAX_DRAFT_BYTES} bytes`);
}

/** The uploads the drafts name (`media_ids`) that are their author's, in one query. */
async function withMedia(db: Tx, accountId: string, rows: DraftRow[]): Promise<Draft[]> {
  const idsOf = (row: DraftRow) =>
    Array.isArray(row.params.media_ids)
      ? row.params.media_ids.filter((v): v is string => typeof v === "string")
      : [];
  const all = [...new Set(rows.flatMap(idsOf))].filter((id) => /^\d{1,19}$/.test(id));
  const media = all.length
    ? await db
        .select()
        .from(mediaAttachments)
        .where(and(inArray(mediaAttachments.id, all), eq(mediaAttachments.accountId, accountId)))
    : [];
  const byId = new Map(media.map((m) => [m.id, m]));
  return rows.map((row) => ({
    ...row,
    media: idsOf(row).flatMap((id) => byId.get(id) ?? []),
  }));
}
