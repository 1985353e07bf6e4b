import { and, asc, eq, inArray, sql } from "drizzle-orm";
import type { Db, Tx } from "../../db/client.ts";
import {
  type FilterAction,
  type FilterContext,
  filterKeywords,
  filterStatuses,
  filters,
  statuses,
} from "../../db/schema/index.ts";
import { notFound, unprocessable } from "../../lib/errors.ts";
import { newId } from "../../lib/ids.ts";
import { canView } from "../statuses/visibility.ts";

export type Filter = typeof filters.$inferSelect;
export type FilterKeyword = typeof filterKeywords.$inferSelect;
export type FilterStatus = typeof filterStatuses.$inferSelect;
/** A filter with its rules, as the v2 API shows it. */
export interface FilterWithRules {
  filter: Filter;
  keywords: FilterKeyword[];
  statuses: FilterStatus[];
}

/** One entry of `keywords_attributes[]`: a new keyword, a change to one (`id`), or `_destroy`. */
export interface KeywordChange {
  id?: string;
  keyword?: string;
  wholeWord?: boolean;
  destroy?: boolean;
}

export interface FilterInput {
  title?: string;
  context?: FilterContext[];
  action?: FilterAction;
  /** Seconds from now; null: never expires; undefined: unchanged. */
  expiresIn?: number | null;
  keywords?: KeywordChange[];
}

const MAX_KEYWORD = 512;

function checkKeyword(keyword: string | undefined): string {
  const k = keyword?.trim() ?? "";
  if (k === "") throw unprocessable("Validation failed: Keyword can't be blank");
  if (k.length > MAX_KEYWORD) throw unprocessable("Validation failed: Keyword is too long");
  return k;
}

const expiry = (seconds: number | null | undefined) =>
  seconds === undefined
    ? undefined
    : seconds === null
      ? null
      : new Date(Date.now() + seconds * 1000);

/** The owner's filters with their keywords and statuses, in three queries whatever the count. */
export async function filtersWithRules(
  db: Tx,
  ownerId: string,
  ids?: string[],
): Promise<FilterWithRules[]> {
  const where = ids
    ? and(eq(filters.accountId, ownerId), inArray(filters.id, ids))
    : eq(filters.accountId, ownerId);
  const rows = await db.select().from(filters).where(where).orderBy(asc(filters.id));
  if (rows.length === 0) return [];
  const filterIds = rows.map((f) => f.id);
  const [keywords, pinned] = await Promise.all([
    db
      .select()
      .from(filterKeywords)
      .where(inArray(filterKeywords.filterId, filterIds))
      .orderBy(asc(filterKeywords.id)),
    db
      .select()
      .from(filterStatuses)
      .where(inArray(filterStatuses.filterId, filterIds))
      .orderBy(asc(filterStatuses.id)),
  ]);
  return rows.map((filter) => ({
    filter,
    keywords: keywords.filter((k) => k.filterId === filter.id),
    statuses: pinned.filter((s) => s.filterId === filter.id),
  }));
}

/** One of the owner's filters; another account's is a 404. */
export async function getFilter(db: Tx, ownerId: string, id: string): Promise<FilterWithRules> {
  const [found] = await filtersWithRules(db, ownerId, [id]);
  if (!found) throw notFound();
  return found;
}

async function applyKeywordChanges(tx: Tx, filterId: string, changes: KeywordChange[]) {
  for (const change of changes) {
    if (change.id) {
      const mine = and(eq(filterKeywords.id, change.id), eq(filterKeywords.filterId, filterId));
      if (change.destroy) {
        await tx.delete(filterKeywords).where(mine);
        continue;
      }
      const [updated] = await tx
        .update(filterKeywords)
        .set({
          ...(change.keyword !== undefined ? { keyword: checkKeyword(change.keyword) } : {}),
          ...(change.wholeWord !== undefined ? { wholeWord: change.wholeWord } : {}),
        })
        .where(mine)
        .returning();
      if (!updated) throw notFound(`Filter keyword ${change.id} not found`);
    } else if (!change.destroy) {
      await tx.insert(filterKeywords).values({
        id: newId(),
        filterId,
        keyword: checkKeyword(change.keyword),
        wholeWord: change.wholeWord ?? true,
      });
    }
  }
}

function checkTitle(title: string | undefined): string | undefined {
  if (title === undefined) return undefined;
  const t = title.trim();
  if (t === "") throw unprocessable("Validation failed: Title can't be blank");
  if (t.length > 256) throw unprocessable("Validation failed: Title is too long");
  return t;
}

export async function createFilter(
  db: Db,
  ownerId: string,
  input: FilterInput,
): Promise<FilterWithRules> {
  const title = checkTitle(input.title ?? "")!;
  if (!input.context?.length) throw unprocessable("Validation failed: Context can't be blank");
  const id = newId();
  await db.transaction(async (tx) => {
    await tx.insert(filters).values({
      id,
      accountId: ownerId,
      title,
      context: [...new Set(input.context)],
      action: input.action ?? "warn",
      expiresAt: expiry(input.expiresIn) ?? null,
    });
    await applyKeywordChanges(tx, id, input.keywords ?? []);
  });
  return getFilter(db, ownerId, id);
}

export async function updateFilter(
  db: Db,
  ownerId: string,
  id: string,
  input: FilterInput,
): Promise<FilterWithRules> {
  const title = checkTitle(input.title);
  if (input.context && input.context.length === 0)
    throw unprocessable("Validation failed: Context can't be blank");
  await db.transaction(async (tx) => {
    await getFilter(tx, ownerId, id);
    const expiresAt = expiry(input.expiresIn);
    await tx
      .update(filters)
      .set({
        ...(title !== undefined ? { title } : {}),
        ...(input.context ? { context: [...new Set(input.context)] } : {}),
        ...(input.action ? { action: input.action } : {}),
        ...(expiresAt !== undefined ? { expiresAt } : {}),
        updatedAt: sql`now()`,
      })
      .where(eq(filters.id, id));
    await applyKeywordChanges(tx, id, input.keywords ?? []);
  });
  return getFilter(db, ownerId, id);
}

export async function deleteFilter(db: Tx, ownerId: string, id: string): Promise<void> {
  const gone = await db
    .delete(filters)
    .where(and(eq(filters.id, id), eq(filters.accountId, ownerId)))
    .returning({ id: filters.id });
  if (gone.length === 0) throw notFound();
}

/** A keyword of one of the owner's filters (by the keyword's own id). */
export async function getKeyword(
  db: Tx,
  ownerId: string,
  keywordId: string,
): Promise<FilterKeyword> {
  const [row] = await db
    .select({ keyword: filterKeywords })
    .from(filterKeywords)
    .innerJoin(filters, eq(filters.id, filterKeywords.filterId))
    .where(and(eq(filterKeywords.id, keywordId), eq(filters.accountId, ownerId)));
  if (!row) throw notFound();
  return row.keyword;
}

export async function addKeyword(
  db: Db,
  ownerId: string,
  filterId: string,
  change: KeywordChange,
): Promise<FilterKeyword> {
  await getFilter(db, ownerId, filterId);
  const [row] = await db
    .insert(filterKeywords)
    .values({
      id: newId(),
      filterId,
      keyword: checkKeyword(change.keyword),
      wholeWord: change.wholeWord ?? true,
    })
    .returning();
  return row;
}

export async function updateKeyword(
  db: Db,
  ownerId: string,
  keywordId: string,
  change: KeywordChange,
): Promise<FilterKeyword> {
  const current = await getKeyword(db, ownerId, keywordId);
  await applyKeywordChanges(db, current.filterId, [{ ...change, id: keywordId, destroy: false }]);
  return getKeyword(db, ownerId, keywordId);
}

export async function deleteKeyword(db: Tx, ownerId: string, keywordId: string): Promise<void> {
  const current = await getKeyword(db, ownerId, keywordId);
  await db.delete(filterKeywords).where(eq(filterKeywords.id, current.id));
}

export async function getFilterStatus(db: Tx, ownerId: string, id: string): Promise<FilterStatus> {
  const [row] = await db
    .select({ status: filterStatuses })
    .from(filterStatuses)
    .innerJoin(filters, eq(filters.id, filterStatuses.filterId))
    .where(and(eq(filterStatuses.id, id), eq(filters.accountId, ownerId)));
  if (!row) throw notFound();
  return row.status;
}

/** Filters one status the owner may see; adding it twice answers the same record. */
export async function addFilterStatus(
  db: Db,
  ownerId: string,
  filterId: string,
  statusId: string,
): Promise<FilterStatus> {
  await getFilter(db, ownerId, filterId);
  const [status] = await db.select().from(statuses).where(eq(statuses.id, statusId));
  if (!status || !(await canView(db, status, ownerId))) throw notFound("Status not found");
  await db.insert(filterStatuses).values({ id: newId(), filterId, statusId }).onConflictDoNothing();
  const [row] = await db
    .select()
    .from(filterStatuses)
    .where(and(eq(filterStatuses.filterId, filterId), eq(filterStatuses.statusId, statusId)));
  return row;
}

export async function deleteFilterStatus(db: Tx, ownerId: string, id: string): Promise<void> {
  const current = await getFilterStatus(db, ownerId, id);
  await db.delete(filterStatuses).where(eq(filterStatuses.id, current.id));
}
