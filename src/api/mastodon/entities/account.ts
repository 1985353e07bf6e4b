import type { Tx } from "../../../db/client.ts";
import type { Account } from "../../../services/accounts/accounts.ts";
import { type AccountStats, accountStats } from "../../../services/accounts/stats.ts";
import { accountEmojis, type MastodonCustomEmoji } from "./custom-emoji.ts";

/** Mastodon's Account entity (https://docs.joinmastodon.org/entities/Account/). */
export interface MastodonAccount {
  id: string;
  username: string;
  acct: string;
  url: string;
  uri: string;
  display_name: string;
  note: string;
  avatar: string;
  avatar_static: string;
  header: string;
  header_static: string;
  locked: boolean;
  fields: { name: string; value: string; verified_at: string | null }[];
  emojis: MastodonCustomEmoji[];
  bot: boolean;
  group: boolean;
  discoverable: boolean | null;
  indexable: boolean;
  noindex: boolean;
  hide_collections: boolean;
  created_at: string;
  last_status_at: string | null;
  statuses_count: number;
  followers_count: number;
  following_count: number;
  roles: never[];
  /** Newer Mastodon fields (alt text of the pictures, profile tabs, featuring in collections). */
  avatar_description: string;
  header_description: string;
  show_media: boolean;
  show_media_replies: boolean;
  show_featured: boolean;
  feature_approval: {
    automatic: string[];
    manual: string[];
    current_user: "automatic" | "manual" | "denied";
  };
  /** Suspended by this server's moderators: the profile is blanked, as Mastodon shows it. */
  suspended?: true;
  /** Silenced (Mastodon: "limited") by this server's moderators. */
  limited?: true;
}

export interface CredentialAccount extends MastodonAccount {
  source: {
    privacy: "public" | "unlisted" | "private" | "direct";
    sensitive: boolean;
    language: string | null;
    note: string;
    fields: { name: string; value: string; verified_at: string | null }[];
    follow_requests_count: number;
  };
}

/** Clients show a picture for every account; these stand in until media uploads exist. */
export const defaultAvatar = (publicUrl: string) => `${publicUrl}/static/avatar.png`;
export const defaultHeader = (publicUrl: string) => `${publicUrl}/static/header.png`;

/** Midnight UTC of the creation day, as Mastodon shows it (it hides the exact time). */
const day = (d: Date) => `${d.toISOString().slice(0, 10)}T00:00:00.000Z`;

export function serializeAccount(
  a: Account,
  stats: AccountStats | undefined,
  publicUrl: string,
  emojis: MastodonCustomEmoji[] = [],
): MastodonAccount {
  // A remote account's pictures as copied here, when they are (services/media/remote.ts).
  const avatar = a.avatarCacheUrl ?? a.avatarUrl ?? defaultAvatar(publicUrl);
  const header = a.headerCacheUrl ?? a.headerUrl ?? defaultHeader(publicUrl);
  return {
    id: a.id,
    username: a.username,
    acct: a.domain ? `${a.username}@${a.domain}` : a.username,
    url: a.url ?? a.uri,
    uri: a.uri,
    display_name: a.displayName,
    note: a.note,
    avatar,
    avatar_static: avatar,
    header,
    header_static: header,
    locked: a.locked,
    fields: a.fields.map((f) => ({ name: f.name, value: f.value, verified_at: f.verifiedAt })),
    emojis,
    bot: a.bot,
    group: a.actorType === "Group",
    discoverable: a.discoverable,
    indexable: a.indexable,
    noindex: !a.indexable,
    hide_collections: a.hideCollections,
    created_at: day(a.publishedAt ?? a.createdAt),
    last_status_at: stats?.lastStatusAt ? stats.lastStatusAt.toISOString().slice(0, 10) : null,
    statuses_count: stats?.statuses ?? 0,
    followers_count: stats?.followers ?? 0,
    following_count: stats?.following ?? 0,
    roles: [],
    avatar_description: "",
    header_description: "",
    show_media: true,
    show_media_replies: true,
    show_featured: true,
    feature_approval: { automatic: [], manual: [], current_user: "denied" },
    ...(a.silencedAt ? { limited: true as const } : {}),
    ...(a.suspendedAt ? suspendedProfile(publicUrl) : {}),
  };
}

/** What Mastodon leaves of a suspended account's profile: the names, and nothing to read. */
function suspendedProfile(publicUrl: string) {
  return {
    display_name: "",
    note: "",
    avatar: defaultAvatar(publicUrl),
    avatar_static: defaultAvatar(publicUrl),
    header: defaultHeader(publicUrl),
    header_static: defaultHeader(publicUrl),
    fields: [],
    emojis: [],
    locked: false,
    bot: false,
    statuses_count: 0,
    followers_count: 0,
    following_count: 0,
    suspended: true as const,
  };
}

/** Serializes many accounts with three queries in all (stats, custom emoji). */
export async function serializeAccounts(
  db: Tx,
  list: Account[],
  publicUrl: string,
): Promise<MastodonAccount[]> {
  const stats = await accountStats(db, list);
  const emojis = await accountEmojis(db, list);
  return list.map((a) => serializeAccount(a, stats.get(a.id), publicUrl, emojis.get(a.id)));
}

export async function serializeOneAccount(
  db: Tx,
  a: Account,
  publicUrl: string,
): Promise<MastodonAccount> {
  return (await serializeAccounts(db, [a], publicUrl))[0];
}
