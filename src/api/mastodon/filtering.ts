import type { Tx } from "../../db/client.ts";
import type { FilterContext } from "../../db/schema/index.ts";
import { htmlToPlainText } from "../../lib/html.ts";
import { type ActiveFilter, activeFilters, matchFilters } from "../../services/filters/apply.ts";
import { serializeFilterResult } from "./entities/filter.ts";
import type { MastodonStatus } from "./entities/status.ts";

/**
 * The viewer's filters applied to rendered statuses (Mastodon applies them server-side):
 * `hide` takes a post off the page, `warn` and `blur` fill its `filtered` with FilterResults.
 * One query for the viewer's filters, then plain matching: the page costs one statement more.
 * Posts by the viewer are never filtered (as on Mastodon).
 */
export class ViewerFilters {
  private readonly viewerId: string | null;
  private readonly active: ActiveFilter[];
  private constructor(viewerId: string | null, active: ActiveFilter[]) {
    this.viewerId = viewerId;
    this.active = active;
  }

  static async load(db: Tx, viewerId: string | null | undefined, context: FilterContext) {
    return new ViewerFilters(
      viewerId ?? null,
      viewerId ? await activeFilters(db, viewerId, context) : [],
    );
  }

  /** Marks a status (and the boosted one) in place; true when a `hide` filter takes it away. */
  hides(status: MastodonStatus): boolean {
    if (this.active.length === 0) return false;
    const proper = status.reblog ?? status;
    if (proper.account.id === this.viewerId) return false;
    const text = [
      proper.spoiler_text,
      htmlToPlainText(proper.content),
      ...proper.media_attachments.map((m) => m.description ?? ""),
    ].join("\n\n");
    const matches = matchFilters(this.active, text, [status.id, proper.id]);
    if (matches.some((m) => m.filter.action === "hide")) return true;
    const results = matches.map(serializeFilterResult);
    status.filtered = results;
    if (status.reblog) status.reblog.filtered = results;
    return false;
  }

  /** The page without hidden statuses, the others marked. */
  apply(statuses: MastodonStatus[]): MastodonStatus[] {
    return statuses.filter((s) => !this.hides(s));
  }
}

/** Notifications about posts a `hide` filter (notifications context) takes away are left out. */
export async function filterNotifications<N extends { status?: MastodonStatus }>(
  db: Tx,
  viewerId: string,
  page: N[],
): Promise<N[]> {
  const filters = await ViewerFilters.load(db, viewerId, "notifications");
  return page.filter((n) => !n.status || !filters.hides(n.status));
}

/** The same for grouped notifications (v2): hidden statuses go, and the groups about them. */
export async function filterGroupedNotifications<
  R extends { statuses: MastodonStatus[]; notification_groups: { status_id?: string }[] },
>(db: Tx, viewerId: string, results: R): Promise<R> {
  const filters = await ViewerFilters.load(db, viewerId, "notifications");
  const hidden = new Set(results.statuses.filter((s) => filters.hides(s)).map((s) => s.id));
  if (hidden.size === 0) return results;
  return {
    ...results,
    statuses: results.statuses.filter((s) => !hidden.has(s.id)),
    notification_groups: results.notification_groups.filter(
      (g) => !g.status_id || !hidden.has(g.status_id),
    ),
  };
}
