import type { AnnouncementView } from "../../../services/announcements/announcements.ts";
import { type MastodonCustomEmoji, serializeEmoji } from "./custom-emoji.ts";

/** Mastodon's Announcement entity (https://docs.joinmastodon.org/entities/Announcement/). */
export interface MastodonAnnouncement {
  id: string;
  content: string;
  starts_at: string | null;
  ends_at: string | null;
  all_day: boolean;
  published_at: string;
  updated_at: string;
  read: boolean;
  mentions: never[];
  statuses: never[];
  tags: never[];
  emojis: MastodonCustomEmoji[];
  reactions: MastodonReaction[];
}

/** Mastodon's Reaction: `url` and `static_url` only for a custom emoji. */
export interface MastodonReaction {
  name: string;
  count: number;
  me: boolean;
  url?: string;
  static_url?: string;
}

export function serializeAnnouncement(v: AnnouncementView): MastodonAnnouncement {
  const a = v.announcement;
  return {
    id: a.id,
    content: a.content,
    starts_at: a.startsAt?.toISOString() ?? null,
    ends_at: a.endsAt?.toISOString() ?? null,
    all_day: a.allDay,
    published_at: (a.publishedAt ?? a.createdAt).toISOString(),
    updated_at: a.updatedAt.toISOString(),
    read: v.read,
    mentions: [],
    statuses: [],
    tags: [],
    emojis: v.emojis.map(serializeEmoji),
    reactions: v.reactions.map((r) => ({
      name: r.name,
      count: r.count,
      me: r.me,
      ...(r.emoji
        ? { url: r.emoji.imageUrl, static_url: r.emoji.staticUrl ?? r.emoji.imageUrl }
        : {}),
    })),
  };
}
