import { type AnyColumn, type SQL, sql } from "drizzle-orm";

/** An account id: a value, or a column or expression (fan-out checks each reader in SQL). */
type Ref = string | AnyColumn | SQL;

/**
 * SQL conditions every read path adds so that blocks, mutes and a viewer's domain blocks hold
 * everywhere (timelines, lists, hashtags, search, context, notifications, conversations, streams).
 * Each is one `not exists` against a unique or leading index, so a page stays one range scan.
 * Pass the column (or SQL) that holds the author's account id; for a boost, call it for both the
 * booster and the boosted author.
 */

/** The viewer blocked the account or the account blocked the viewer. */
function blockedEitherWay(viewerId: Ref, accountId: Ref): SQL {
  return sql`exists (select 1 from blocks b where (b.account_id = ${viewerId} and b.target_account_id = ${accountId}) or (b.account_id = ${accountId} and b.target_account_id = ${viewerId}))`;
}

/** The viewer muted the account, and the mute has not expired. */
function muted(viewerId: Ref, accountId: Ref, notificationsOnly: boolean): SQL {
  const scope = notificationsOnly ? sql` and m.hide_notifications` : sql``;
  return sql`exists (select 1 from mutes m where m.account_id = ${viewerId} and m.target_account_id = ${accountId} and (m.expires_at is null or m.expires_at > now())${scope})`;
}

/** The viewer blocked the account's whole domain (local accounts have none). */
function domainBlocked(viewerId: Ref, accountId: Ref): SQL {
  return sql`exists (select 1 from account_domain_blocks d join accounts a on a.domain = d.domain where d.account_id = ${viewerId} and a.id = ${accountId})`;
}

/**
 * The account was suspended by this server's moderators: gone for everyone, signed in or not
 * (one primary-key probe).
 */
export function suspended(accountId: Ref): SQL {
  return sql`exists (select 1 from accounts x where x.id = ${accountId} and x.suspended_at is not null)`;
}

/**
 * Suspended, or silenced and not followed by the viewer: a silenced account still reaches its
 * followers, as on Mastodon, but its notifications to anyone else are dropped.
 */
function suspendedOrSilencedFor(viewerId: Ref, accountId: Ref): SQL {
  return sql`exists (select 1 from accounts x where x.id = ${accountId} and (x.suspended_at is not null or (x.silenced_at is not null and not exists (select 1 from follows f where f.follower_id = ${viewerId} and f.following_id = x.id and f.state = 'accepted'))))`;
}

/** True when a post by `accountId` may be shown to the viewer in a timeline, search or thread. */
export function visibleAuthor(viewerId: Ref | null, accountId: Ref): SQL {
  if (!viewerId) return sql`not ${suspended(accountId)}`;
  return sql`not ${blockedEitherWay(viewerId, accountId)} and not ${muted(viewerId, accountId, false)} and not ${domainBlocked(viewerId, accountId)} and not ${suspended(accountId)}`;
}

/** True when a notification caused by `accountId` may reach the viewer. */
export function notifyingAccount(viewerId: Ref, accountId: Ref): SQL {
  return sql`not ${blockedEitherWay(viewerId, accountId)} and not ${muted(viewerId, accountId, true)} and not ${domainBlocked(viewerId, accountId)} and not ${suspendedOrSilencedFor(viewerId, accountId)}`;
}

/**
 * True when the account and the viewer have not blocked each other (profiles, follows, DMs),
 * and the account is not suspended.
 */
export function notBlocked(viewerId: Ref | null, accountId: Ref): SQL {
  if (!viewerId) return sql`not ${suspended(accountId)}`;
  return sql`not ${blockedEitherWay(viewerId, accountId)} and not ${suspended(accountId)}`;
}

/** Not silenced by this server's moderators: for public timelines and suggestions. */
export function notSilenced(accountId: Ref): SQL {
  return sql`not exists (select 1 from accounts x where x.id = ${accountId} and x.silenced_at is not null)`;
}
