import type { FilterAction, FilterContext } from "../../../db/schema/index.ts";
import type { ActiveFilter, FilterMatch } from "../../../services/filters/apply.ts";
import type {
  FilterKeyword,
  FilterStatus,
  FilterWithRules,
} from "../../../services/filters/filters.ts";

/** https://docs.joinmastodon.org/entities/FilterKeyword/ */
export interface MastodonFilterKeyword {
  id: string;
  keyword: string;
  whole_word: boolean;
}
/** https://docs.joinmastodon.org/entities/FilterStatus/ */
export interface MastodonFilterStatus {
  id: string;
  status_id: string;
}
/** https://docs.joinmastodon.org/entities/Filter/ (inside a FilterResult, without its rules). */
export interface MastodonFilter {
  id: string;
  title: string;
  context: FilterContext[];
  expires_at: string | null;
  filter_action: FilterAction;
  keywords?: MastodonFilterKeyword[];
  statuses?: MastodonFilterStatus[];
}
/** https://docs.joinmastodon.org/entities/FilterResult/ */
export interface MastodonFilterResult {
  filter: MastodonFilter;
  keyword_matches: string[] | null;
  status_matches: string[] | null;
}
/** The v1 filter (https://docs.joinmastodon.org/entities/V1_Filter/): one keyword of a v2 filter. */
export interface MastodonV1Filter {
  id: string;
  phrase: string;
  context: FilterContext[];
  whole_word: boolean;
  expires_at: string | null;
  irreversible: boolean;
}

export const serializeKeyword = (k: FilterKeyword): MastodonFilterKeyword => ({
  id: k.id,
  keyword: k.keyword,
  whole_word: k.wholeWord,
});
export const serializeFilterStatus = (s: FilterStatus): MastodonFilterStatus => ({
  id: s.id,
  status_id: s.statusId,
});

export function serializeFilter({ filter, keywords, statuses }: FilterWithRules): MastodonFilter {
  return {
    id: filter.id,
    title: filter.title,
    context: filter.context,
    expires_at: filter.expiresAt?.toISOString() ?? null,
    filter_action: filter.action,
    keywords: keywords.map(serializeKeyword),
    statuses: statuses.map(serializeFilterStatus),
  };
}

export function serializeV1Filter(f: FilterWithRules, k: FilterKeyword): MastodonV1Filter {
  return {
    id: k.id,
    phrase: k.keyword,
    context: f.filter.context,
    whole_word: k.wholeWord,
    expires_at: f.filter.expiresAt?.toISOString() ?? null,
    irreversible: f.filter.action === "hide",
  };
}

const shortFilter = (f: ActiveFilter): MastodonFilter => ({
  id: f.id,
  title: f.title,
  context: f.context,
  expires_at: f.expiresAt?.toISOString() ?? null,
  filter_action: f.action,
});

export const serializeFilterResult = (m: FilterMatch): MastodonFilterResult => ({
  filter: shortFilter(m.filter),
  keyword_matches: m.keywordMatches,
  status_matches: m.statusMatches,
});
