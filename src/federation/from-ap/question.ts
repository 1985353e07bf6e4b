import { type Object as APObject, Collection, Question } from "@fedify/vocab";
import type { RemotePollData } from "../../services/polls/remote.ts";
import type { PostObject } from "./note.ts";

/** What one remote poll may make us keep: options, their title length, a sane vote count. */
export const MAX_REMOTE_OPTIONS = 20;
const MAX_TITLE = 500;
const MAX_COUNT = 1_000_000_000;

/** Options are embedded by every server (Mastodon, GoToSocial, Misskey): none is fetched. */
const noFetch = async (url: string): Promise<never> => {
  throw new Error(`not fetching poll option ${url}`);
};

const count = (n: unknown) =>
  typeof n === "number" && Number.isFinite(n) ? Math.min(Math.max(0, Math.floor(n)), MAX_COUNT) : 0;

async function optionsOf(list: AsyncIterable<APObject>) {
  const out: { title: string; votesCount: number }[] = [];
  for await (const option of list) {
    if (out.length >= MAX_REMOTE_OPTIONS) break;
    const title = String(option.name ?? "")
      .replaceAll("\u0000", "")
      .trim()
      .slice(0, MAX_TITLE);
    if (!title) continue;
    const replies = await option
      .getReplies({ documentLoader: noFetch, suppressError: true })
      .catch(() => null);
    out.push({ title, votesCount: replies instanceof Collection ? count(replies.totalItems) : 0 });
  }
  return out;
}

/**
 * A remote `Question`'s poll (`oneOf` single choice, `anyOf` multiple; each option a `name` with
 * `replies.totalItems` votes; `endTime`, `closed`, `votersCount`). Null for any other post, and
 * for a Question without options.
 */
export async function remotePollOf(post: PostObject): Promise<RemotePollData | null> {
  if (!(post instanceof Question)) return null;
  const loader = { documentLoader: noFetch, suppressError: true };
  const single = await optionsOf(post.getExclusiveOptions(loader));
  const multiple = single.length ? [] : await optionsOf(post.getInclusiveOptions(loader));
  const options = single.length ? single : multiple;
  if (options.length === 0) return null;
  const end = post.endTime ? new Date(post.endTime.epochMilliseconds) : null;
  const closed = post.closed;
  return {
    options,
    multiple: single.length === 0,
    expiresAt:
      end ?? (closed && typeof closed !== "boolean" ? new Date(closed.epochMilliseconds) : null),
    closed:
      closed === true ||
      (closed !== null && typeof closed !== "boolean" && closed.epochMilliseconds <= Date.now()),
    votersCount: post.voters === null ? null : count(post.voters),
  };
}
