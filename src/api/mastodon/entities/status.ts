import type { Tx } from "../../../db/client.ts";
import type { Visibility } from "../../../db/schema/statuses.ts";
import { favouritedAmong } from "../../../services/favourites/favourites.ts";
import { loadBundles } from "../../../services/statuses/load.ts";
import type { Status, StatusBundle } from "../../../services/statuses/types.ts";
import { type MastodonAccount, serializeAccounts } from "./account.ts";
import { type MastodonMediaAttachment, serializeMedia } from "./media.ts";

/** Mastodon's Status entity (https://docs.joinmastodon.org/entities/Status/). */
export interface MastodonStatus {
  id: string;
  uri: string;
  url: string | null;
  created_at: string;
  edited_at: string | null;
  account: MastodonAccount;
  content: string;
  visibility: Visibility;
  sensitive: boolean;
  spoiler_text: string;
  media_attachments: MastodonMediaAttachment[];
  application: { name: string; website: string | null } | null;
  mentions: { id: string; username: string; url: string; acct: string }[];
  tags: { name: string; url: string }[];
  emojis: never[];
  reblogs_count: number;
  favourites_count: number;
  replies_count: number;
  /** Mastodon 4.5 quote posts: Tern has none and lets nobody quote (clients hide the button). */
  quotes_count: number;
  quote: null;
  quote_approval: {
    automatic: string[];
    manual: string[];
    current_user: "automatic" | "manual" | "denied";
  };
  in_reply_to_id: string | null;
  in_reply_to_account_id: string | null;
  reblog: null;
  poll: null;
  card: null;
  language: string | null;
  /** Only in the answer to a delete (clients redraft from it). */
  text?: string | null;
  favourited: boolean;
  reblogged: boolean;
  muted: boolean;
  bookmarked: boolean;
  pinned: boolean;
  filtered: never[];
}

/** `viewerId`: who asks (their `favourited` flags are loaded for the whole page in one query). */
export async function serializeBundles(
  db: Tx,
  bundles: StatusBundle[],
  publicUrl: string,
  viewerId?: string | null,
): Promise<MastodonStatus[]> {
  const people = [...new Map(bundles.map((b) => [b.account.id, b.account])).values()];
  const ids = bundles.map((b) => b.status.id);
  const [serializedAccounts, favourited] = await Promise.all([
    serializeAccounts(db, people, publicUrl),
    viewerId ? favouritedAmong(db, viewerId, ids) : new Set<string>(),
  ]);
  const serialized = new Map(serializedAccounts.map((a) => [a.id, a]));
  return bundles.map(({ status, account, mentions, tags, counts, media }) => ({
    id: status.id,
    uri: status.uri,
    url: status.url ?? status.uri,
    created_at: status.createdAt.toISOString(),
    edited_at: status.editedAt?.toISOString() ?? null,
    account: serialized.get(account.id)!,
    content: status.content,
    visibility: status.visibility,
    sensitive: status.sensitive,
    spoiler_text: status.spoilerText,
    media_attachments: media.map(serializeMedia),
    application: null,
    mentions: mentions.map((m) => ({
      id: m.id,
      username: m.username,
      url: m.url ?? m.uri,
      acct: m.domain ? `${m.username}@${m.domain}` : m.username,
    })),
    tags: tags.map((name) => ({ name, url: `${publicUrl}/tags/${encodeURIComponent(name)}` })),
    emojis: [],
    reblogs_count: counts.reblogs,
    favourites_count: counts.favourites,
    replies_count: counts.replies,
    quotes_count: counts.quotes,
    quote: null,
    quote_approval: { automatic: [], manual: [], current_user: "denied" },
    in_reply_to_id: status.inReplyToId,
    in_reply_to_account_id: status.inReplyToAccountId,
    reblog: null,
    poll: null,
    card: null,
    language: status.language,
    favourited: favourited.has(status.id),
    reblogged: false,
    muted: false,
    bookmarked: false,
    pinned: false,
    filtered: [],
  }));
}

export async function serializeStatuses(
  db: Tx,
  rows: Status[],
  publicUrl: string,
  viewerId?: string | null,
): Promise<MastodonStatus[]> {
  return serializeBundles(db, await loadBundles(db, rows), publicUrl, viewerId);
}
