import type { ListRepliesPolicy } from "../../../db/schema/index.ts";
import type { List } from "../../../services/lists/lists.ts";

/** Mastodon's List entity (https://docs.joinmastodon.org/entities/List/). */
export interface MastodonList {
  id: string;
  title: string;
  replies_policy: ListRepliesPolicy;
  exclusive: boolean;
}

export const serializeList = (l: List): MastodonList => ({
  id: l.id,
  title: l.title,
  replies_policy: l.repliesPolicy,
  exclusive: l.exclusive,
});
