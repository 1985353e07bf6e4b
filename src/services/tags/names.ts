import { AppError } from "../../lib/errors.ts";

/** The longest hashtag name accepted in a path or body (Mastodon's own limit is not smaller). */
export const MAX_TAG_LENGTH = 100;

/**
 * The same characters a post's `#name` may hold (src/lib/text-to-html.ts): letters of any
 * script, combining marks, digits, `_`, and Mastodon's inner separators; at least one letter.
 */
const TAG_NAME =
  /^[\p{L}\p{M}\p{N}_](?:[\p{L}\p{M}\p{N}_\u00B7\u30FB\u200C]*[\p{L}\p{M}\p{N}_])?$/u;

/** True when `name` (without `#`) is a hashtag name a post could carry. */
export function isTagName(name: string): boolean {
  return name.length <= MAX_TAG_LENGTH && TAG_NAME.test(name) && /\p{L}/u.test(name);
}

/**
 * The stored form of a hashtag from a path, body or query (`#` optional): lower-cased as
 * status_tags keeps it. A name no post could carry is a 422 that says so.
 */
export function tagName(raw: string): string {
  const name = raw.replace(/^#/, "");
  if (!isTagName(name)) throw new AppError(422, `Invalid hashtag name: ${raw.slice(0, 120)}`);
  return name.toLowerCase();
}
