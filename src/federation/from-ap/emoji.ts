import { type Object as APObject, Emoji, Image } from "@fedify/vocab";
import type { Db } from "../../db/client.ts";
import {
  MAX_REMOTE_EMOJIS,
  type RemoteEmoji,
  upsertRemoteEmojis,
} from "../../services/emojis/emojis.ts";

/** Emoji tags are embedded by every server that sends them: nothing is fetched for them. */
const noFetch = async (url: string): Promise<never> => {
  throw new Error(`not fetching emoji ${url}`);
};

/** The custom emoji one `Emoji` tag names: `:shortcode:` and its image URL, or null. */
export async function emojiOfTag(tag: unknown): Promise<RemoteEmoji | null> {
  if (!(tag instanceof Emoji) || !tag.name) return null;
  const shortcode = String(tag.name).replace(/^:|:$/g, "");
  try {
    const icon = await tag.getIcon({ documentLoader: noFetch, suppressError: true });
    const url =
      icon instanceof Image
        ? icon.url instanceof URL
          ? icon.url.href
          : (icon.url?.href?.href ?? null)
        : null;
    return url ? { shortcode, uri: tag.id?.href ?? null, url } : null;
  } catch {
    return null;
  }
}

/**
 * Stores the custom emoji of a remote object's `tag` list (an actor's; posts collect theirs
 * while reading their other tags), by the author's domain. A broken tag is skipped.
 */
export async function storeEmojiTags(db: Db, object: APObject, domain: string): Promise<void> {
  const found: RemoteEmoji[] = [];
  let read = 0;
  try {
    for await (const tag of object.getTags({ suppressError: true, documentLoader: noFetch })) {
      if (++read > 200 || found.length >= MAX_REMOTE_EMOJIS) break;
      const emoji = await emojiOfTag(tag);
      if (emoji) found.push(emoji);
    }
  } catch {
    // Broken tags must not keep the actor out.
  }
  await upsertRemoteEmojis(db, domain, found);
}
