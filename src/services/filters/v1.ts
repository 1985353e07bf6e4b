import { eq } from "drizzle-orm";
import type { Db } from "../../db/client.ts";
import { type FilterContext, filterKeywords, filters } from "../../db/schema/index.ts";
import { unprocessable } from "../../lib/errors.ts";
import {
  createFilter,
  type FilterKeyword,
  type FilterWithRules,
  filtersWithRules,
  getFilter,
  getKeyword,
  updateFilter,
} from "./filters.ts";

/**
 * Mastodon's v1 filters (older clients such as Tusky) are the keywords of v2 filters: a v1
 * filter's id is its keyword's id, `irreversible` is the `hide` action, and creating one makes a
 * v2 filter titled by its phrase holding that one keyword.
 */
export interface V1Filter {
  filter: FilterWithRules;
  keyword: FilterKeyword;
}

export interface V1Input {
  phrase?: string;
  context?: FilterContext[];
  irreversible?: boolean;
  wholeWord?: boolean;
  expiresIn?: number | null;
}

export async function v1Filters(db: Db, ownerId: string): Promise<V1Filter[]> {
  const all = await filtersWithRules(db, ownerId);
  return all.flatMap((filter) => filter.keywords.map((keyword) => ({ filter, keyword })));
}

export async function v1Filter(db: Db, ownerId: string, keywordId: string): Promise<V1Filter> {
  const keyword = await getKeyword(db, ownerId, keywordId);
  return { filter: await getFilter(db, ownerId, keyword.filterId), keyword };
}

export async function createV1Filter(db: Db, ownerId: string, input: V1Input): Promise<V1Filter> {
  if (!input.phrase?.trim()) throw unprocessable("Validation failed: Phrase can't be blank");
  const filter = await createFilter(db, ownerId, {
    title: input.phrase,
    context: input.context,
    action: input.irreversible ? "hide" : "warn",
    expiresIn: input.expiresIn ?? null,
    keywords: [{ keyword: input.phrase, wholeWord: input.wholeWord ?? true }],
  });
  return { filter, keyword: filter.keywords[0] };
}

/**
 * Changes the keyword, and the filter's context, action and expiry. As on Mastodon, a v2 filter
 * holding several keywords cannot be changed through one of them (a 422 saying so).
 */
export async function updateV1Filter(
  db: Db,
  ownerId: string,
  keywordId: string,
  input: V1Input,
): Promise<V1Filter> {
  const { filter } = await v1Filter(db, ownerId, keywordId);
  const filterChanges = {
    context: input.context,
    action: input.irreversible === undefined ? undefined : input.irreversible ? "hide" : "warn",
    expiresIn: input.expiresIn,
  } as const;
  const changesFilter = Object.values(filterChanges).some((v) => v !== undefined);
  if (changesFilter && filter.keywords.length > 1)
    throw unprocessable(
      "This filter holds several keywords: change it with the /api/v2/filters API",
    );
  await updateFilter(db, ownerId, filter.filter.id, {
    ...filterChanges,
    title: filter.keywords.length === 1 ? input.phrase : undefined,
    keywords: [{ id: keywordId, keyword: input.phrase, wholeWord: input.wholeWord }],
  });
  return v1Filter(db, ownerId, keywordId);
}

/** Deletes the keyword, and its filter when nothing is left in it. */
export async function deleteV1Filter(db: Db, ownerId: string, keywordId: string): Promise<void> {
  const { filter } = await v1Filter(db, ownerId, keywordId);
  await db.transaction(async (tx) => {
    await tx.delete(filterKeywords).where(eq(filterKeywords.id, keywordId));
    if (filter.keywords.length === 1 && filter.statuses.length === 0)
      await tx.delete(filters).where(eq(filters.id, filter.filter.id));
  });
}
