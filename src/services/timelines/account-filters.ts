import { and, eq, exists, isNull, or, type SQL, sql } from "drizzle-orm";
import type { Tx } from "../../db/client.ts";
import { mediaAttachments, statuses, statusPins, statusTags } from "../../db/schema/index.ts";

/**
 * The filters of GET /api/v1/accounts/:id/statuses, as Mastodon's AccountStatusesFilter applies
 * them (all together when several are given).
 */
export interface AccountStatusFilters {
  /** Only the account's pinned statuses (its featured collection). */
  pinned?: boolean;
  /** No replies, except the account's replies to itself (threads), as Mastodon keeps them. */
  excludeReplies?: boolean;
  /** No boosts. */
  excludeReblogs?: boolean;
  /** Only statuses with media attachments. */
  onlyMedia?: boolean;
  /** Only statuses with this hashtag (any case, without `#`). */
  tagged?: string;
}

/** The condition for `only_media`: the status has an attachment (probed by its index). */
export function hasMediaAttachments(): SQL {
  return sql`exists (select 1 from ${mediaAttachments} m where m.status_id = ${statuses.id})`;
}

/**
 * The filters as conditions on `statuses` of one account's keyset page (the page stays one range
 * scan on statuses_account_idx; pins and tags are probed by their primary keys).
 */
export function accountFilterConditions(
  db: Tx,
  accountId: string,
  filters: AccountStatusFilters,
): SQL[] {
  const where: SQL[] = [];
  if (filters.pinned) {
    const pinned = db
      .select({ id: statusPins.statusId })
      .from(statusPins)
      .where(and(eq(statusPins.accountId, accountId), eq(statusPins.statusId, statuses.id)));
    where.push(exists(pinned));
  }
  if (filters.excludeReplies) {
    // Mastodon's `without_replies`: not a reply, or a reply to the author's own post.
    where.push(
      or(isNull(statuses.inReplyToUri), eq(statuses.inReplyToAccountId, statuses.accountId))!,
    );
  }
  if (filters.excludeReblogs) where.push(isNull(statuses.reblogOfId));
  if (filters.onlyMedia) where.push(hasMediaAttachments());
  if (filters.tagged) {
    const tagged = db
      .select({ id: statusTags.statusId })
      .from(statusTags)
      .where(
        and(
          eq(statusTags.statusId, statuses.id),
          eq(statusTags.name, filters.tagged.replace(/^#/, "").toLowerCase()),
        ),
      );
    where.push(exists(tagged));
  }
  return where;
}
