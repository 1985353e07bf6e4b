import type { Tx } from "../../../db/client.ts";
import type { Account } from "../../../services/accounts/accounts.ts";
import type { FeaturedTagFacts } from "../../../services/tags/featured.ts";
import { type TagDay, tagFacts } from "../../../services/tags/tags.ts";

/** Mastodon's Tag (https://docs.joinmastodon.org/entities/Tag/). */
export interface MastodonTag {
  id: string;
  name: string;
  url: string;
  history: TagDay[];
  /** Only for a signed-in caller. */
  following?: boolean;
  featuring?: boolean;
}

/** Mastodon's FeaturedTag (https://docs.joinmastodon.org/entities/FeaturedTag/). */
export interface MastodonFeaturedTag {
  id: string;
  name: string;
  url: string;
  statuses_count: string;
  /** The day of the last post with it (Mastodon sends a date), or null. */
  last_status_at: string | null;
}

export const tagUrl = (publicUrl: string, name: string) =>
  `${publicUrl}/tags/${encodeURIComponent(name)}`;

/**
 * Tags with their week of history and the viewer's following/featuring: three queries for any
 * number of tags. Tern has no tags table, so a tag's id is its name (clients only pass it back).
 */
export async function serializeTags(
  db: Tx,
  names: string[],
  publicUrl: string,
  viewerId: string | null,
): Promise<MastodonTag[]> {
  const facts = await tagFacts(db, names, viewerId);
  return facts.map((f) => ({
    id: f.name,
    name: f.name,
    url: tagUrl(publicUrl, f.name),
    history: f.history,
    ...(f.following === null ? {} : { following: f.following }),
    ...(f.featuring === null ? {} : { featuring: f.featuring }),
  }));
}

export function serializeFeaturedTag(
  t: FeaturedTagFacts,
  owner: Account,
  publicUrl: string,
): MastodonFeaturedTag {
  const profile = owner.url ?? `${publicUrl}/@${owner.username}`;
  return {
    id: t.id,
    name: t.name,
    url: `${profile}/tagged/${encodeURIComponent(t.name)}`,
    statuses_count: String(t.statusesCount),
    last_status_at: t.lastStatusAt ? t.lastStatusAt.toISOString().slice(0, 10) : null,
  };
}
