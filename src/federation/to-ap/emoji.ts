import { Emoji, Image } from "@fedify/vocab";
import { Temporal } from "@js-temporal/polyfill";
import type { CustomEmoji } from "../../services/emojis/emojis.ts";

const typeOf = (url: string) =>
  url.endsWith(".gif")
    ? "image/gif"
    : url.endsWith(".webp")
      ? "image/webp"
      : url.endsWith(".jpeg")
        ? "image/jpeg"
        : "image/png";

/** A local custom emoji as the `Emoji` tag Mastodon reads (`name` with colons, `icon` image). */
export function emojiToTag(e: CustomEmoji, publicUrl: string): Emoji {
  return new Emoji({
    id: new URL(e.uri ?? `${publicUrl}/emojis/${e.shortcode}`),
    name: `:${e.shortcode}:`,
    icon: new Image({ url: new URL(e.imageUrl), mediaType: typeOf(e.imageUrl) }),
    updated: Temporal.Instant.fromEpochMilliseconds(e.updatedAt.getTime()),
  });
}
