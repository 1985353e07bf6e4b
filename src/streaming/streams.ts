/**
 * The streams Mastodon documents (https://docs.joinmastodon.org/methods/streaming/), as a client
 * names them, and the key the hub files a subscription under: `hashtag:local` for tag `Cats` is
 * ["hashtag:local", "cats"], sent back in each event's `stream` field as the client named it.
 */
export const STREAM_NAMES = [
  "user",
  "user:notification",
  "public",
  "public:media",
  "public:local",
  "public:local:media",
  "public:remote",
  "public:remote:media",
  "hashtag",
  "hashtag:local",
  "list",
  "direct",
] as const;
export type StreamName = (typeof STREAM_NAMES)[number];

export interface Subscription {
  name: StreamName;
  /** The hashtag (lowercased) or the list id, for the streams that take one. */
  arg?: string;
  /** What events on it carry as `stream`: [name] or [name, arg] (the tag as the client wrote it). */
  label: string[];
}

export class StreamError extends Error {}

/** Parses `stream` (+ `tag` or `list`) into a subscription; throws StreamError for a bad one. */
export function parseStream(stream: string, params: { tag?: string; list?: string }): Subscription {
  if (!(STREAM_NAMES as readonly string[]).includes(stream))
    throw new StreamError(`Unknown stream type: ${stream}`);
  const name = stream as StreamName;
  if (name === "hashtag" || name === "hashtag:local") {
    const tag = params.tag?.replace(/^#/, "");
    if (!tag) throw new StreamError("Missing tag name parameter");
    return { name, arg: tag.toLowerCase(), label: [name, tag] };
  }
  if (name === "list") {
    if (!params.list || !/^\d{1,20}$/.test(params.list))
      throw new StreamError("Missing list parameter");
    return { name, arg: params.list, label: [name, params.list] };
  }
  return { name, label: [name] };
}

/** The key two subscriptions to the same stream share (subscribing twice is once). */
export const keyOf = (s: { name: string; arg?: string }) =>
  s.arg ? `${s.name}\u0000${s.arg}` : s.name;

/** The scope a stream needs (the umbrella `read` grants both, see hasScope). */
export const scopeOf = (name: StreamName) =>
  name === "user:notification" ? "read:notifications" : "read:statuses";

/** The SSE paths under /api/v1/streaming and the stream each opens. */
export const SSE_PATHS: Record<string, StreamName> = {
  "/user": "user",
  "/user/notification": "user:notification",
  "/public": "public",
  "/public/local": "public:local",
  "/public/remote": "public:remote",
  "/hashtag": "hashtag",
  "/hashtag/local": "hashtag:local",
  "/list": "list",
  "/direct": "direct",
};
