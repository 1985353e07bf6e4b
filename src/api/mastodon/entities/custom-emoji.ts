import type { Tx } from "../../../db/client.ts";
import type { Account } from "../../../services/accounts/accounts.ts";
import { type CustomEmoji, emojisFor } from "../../../services/emojis/emojis.ts";

/** Mastodon's CustomEmoji entity (https://docs.joinmastodon.org/entities/CustomEmoji/). */
export interface MastodonCustomEmoji {
  shortcode: string;
  url: string;
  static_url: string;
  visible_in_picker: boolean;
  category: string | null;
}

export function serializeEmoji(e: CustomEmoji): MastodonCustomEmoji {
  return {
    shortcode: e.shortcode,
    url: e.imageUrl,
    static_url: e.staticUrl ?? e.imageUrl,
    visible_in_picker: e.visibleInPicker,
    category: e.category,
  };
}

/** The emoji of each account's name, bio and fields: one query for the page. */
export async function accountEmojis(
  db: Tx,
  list: Account[],
): Promise<Map<string, MastodonCustomEmoji[]>> {
  const found = await emojisFor(
    db,
    list.map((a) => ({
      domain: a.domain,
      texts: [a.displayName, a.note, ...a.fields.flatMap((f) => [f.name, f.value])],
    })),
  );
  return new Map(list.map((a, i) => [a.id, found[i].map(serializeEmoji)]));
}
