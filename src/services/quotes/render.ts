import type { Tx } from "../../db/client.ts";
import type { QuoteState } from "../../db/schema/statuses.ts";
import { loadBundlesByIds } from "../statuses/load.ts";
import type { StatusBundle } from "../statuses/types.ts";
import { viewableBy } from "../statuses/visibility.ts";

/**
 * The quoted posts a page shows, in a constant number of queries: only accepted quotes embed
 * their post (as on Mastodon), and only posts the viewer may see. Keyed by the quoted status id.
 */
export async function quotedBundles(
  db: Tx,
  bundles: StatusBundle[],
  viewerId: string | null,
): Promise<Map<string, StatusBundle>> {
  const ids = [
    ...new Set(
      bundles.flatMap((b) =>
        b.quote?.state === "accepted" && b.quote.quotedStatusId ? [b.quote.quotedStatusId] : [],
      ),
    ),
  ];
  if (ids.length === 0) return new Map();
  const visible = await loadBundlesByIds(db, ids, viewableBy(viewerId), viewerId);
  return new Map(visible.map((b) => [b.status.id, b]));
}

/** The state clients are shown: an accepted quote whose post was deleted reads `deleted`. */
export function shownQuoteState(bundle: StatusBundle): QuoteState | null {
  const q = bundle.quote;
  if (!q) return null;
  return q.state === "accepted" && !q.quotedStatusId ? "deleted" : q.state;
}
