import { sql } from "drizzle-orm";
import { queryRows, type Tx } from "../../db/client.ts";
import type { FilterAction, FilterContext } from "../../db/schema/index.ts";

/** A viewer's filter ready to match: one regular expression for all its keywords. */
export interface ActiveFilter {
  id: string;
  title: string;
  context: FilterContext[];
  action: FilterAction;
  expiresAt: Date | null;
  keywords: RegExp | null;
  statusIds: Set<string>;
}

export interface FilterMatch {
  filter: ActiveFilter;
  keywordMatches: string[] | null;
  statusMatches: string[] | null;
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
const WORD = /^[\p{L}\p{N}_]/u;
const WORD_END = /[\p{L}\p{N}_]$/u;

/**
 * Mastodon's whole-word rule: a word boundary on each side that starts or ends with a word
 * character (Unicode letters and digits, not only ASCII), so `#tag` or `:)` still match.
 */
export function keywordPattern(keyword: string, wholeWord: boolean): string {
  const body = escapeRegExp(keyword);
  if (!wholeWord) return body;
  const start = WORD.test(keyword) ? "(?<![\\p{L}\\p{N}_])" : "";
  const end = WORD_END.test(keyword) ? "(?![\\p{L}\\p{N}_])" : "";
  return `${start}${body}${end}`;
}

interface Row {
  id: string | number;
  title: string;
  context: FilterContext[] | string;
  action: FilterAction;
  expires_at: Date | string | null;
  keywords: { keyword: string; whole_word: boolean }[] | string | null;
  status_ids: string[] | string | null;
}

const json = <T>(v: T | string | null): T | null => (typeof v === "string" ? JSON.parse(v) : v);
const pgArray = (v: FilterContext[] | string): FilterContext[] =>
  Array.isArray(v)
    ? v
    : (v
        .replace(/^\{|\}$/g, "")
        .split(",")
        .filter(Boolean) as FilterContext[]);

/**
 * The viewer's unexpired filters for one context, keywords compiled: one query per request,
 * whatever the page holds.
 */
export async function activeFilters(
  db: Tx,
  viewerId: string,
  context: FilterContext,
): Promise<ActiveFilter[]> {
  const rows = await queryRows<Row>(
    db,
    sql`select f.id::text as id, f.title, f.context, f.action, f.expires_at,
      (select json_agg(json_build_object('keyword', k.keyword, 'whole_word', k.whole_word))
        from filter_keywords k where k.filter_id = f.id) as keywords,
      (select json_agg(fs.status_id::text) from filter_statuses fs where fs.filter_id = f.id)
        as status_ids
    from filters f
    where f.account_id = ${viewerId} and ${context} = any(f.context)
      and (f.expires_at is null or f.expires_at > now())
    order by f.id`,
  );
  return rows.map((r) => {
    const keywords = json(r.keywords) ?? [];
    return {
      id: String(r.id),
      title: r.title,
      context: pgArray(r.context),
      action: r.action,
      expiresAt: r.expires_at ? new Date(r.expires_at) : null,
      keywords: keywords.length
        ? new RegExp(keywords.map((k) => keywordPattern(k.keyword, k.whole_word)).join("|"), "giu")
        : null,
      statusIds: new Set(json(r.status_ids) ?? []),
    };
  });
}

/**
 * Which filters a post trips: `text` is its searchable text (spoiler, content without markup,
 * media descriptions), `statusIds` the post and, for a boost, the boosted one.
 */
export function matchFilters(
  active: ActiveFilter[],
  text: string,
  statusIds: string[],
): FilterMatch[] {
  const out: FilterMatch[] = [];
  for (const filter of active) {
    const words = filter.keywords
      ? [...new Set([...text.matchAll(filter.keywords)].map((m) => m[0]))]
      : [];
    const pinned = statusIds.filter((id) => filter.statusIds.has(id));
    if (words.length === 0 && pinned.length === 0) continue;
    out.push({
      filter,
      keywordMatches: words.length ? words : null,
      statusMatches: pinned.length ? pinned : null,
    });
  }
  return out;
}
