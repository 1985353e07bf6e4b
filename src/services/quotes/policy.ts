import { and, eq, inArray } from "drizzle-orm";
import type { Tx } from "../../db/client.ts";
import { follows, localUsers } from "../../db/schema/index.ts";
import type { InteractionPolicy, QuotePolicy } from "../../db/schema/statuses.ts";
import type { Account } from "../accounts/accounts.ts";
import type { Status } from "../statuses/types.ts";

/** How a viewer may interact: at once, after the author approves, or not at all. */
export type Permission = "automatic" | "manual" | "denied";
export type Interaction = keyof InteractionPolicy;

/** Mastodon 4.5's QuoteApproval entity (https://docs.joinmastodon.org/entities/QuoteApproval/). */
export interface QuoteApproval {
  automatic: string[];
  manual: string[];
  current_user: Permission | "unknown";
}

/** Posts only their readers may see are never quoted by others (Mastodon downgrades them). */
const distributable = (s: Status) => s.visibility === "public" || s.visibility === "unlisted";

/**
 * The quote policy a local post is stored with: what the author asked (or their default), and
 * `nobody` for followers-only and direct posts, as Mastodon stores it.
 */
export function effectiveQuotePolicy(
  visibility: Status["visibility"],
  asked: QuotePolicy | undefined,
  fallback: QuotePolicy,
): QuotePolicy {
  if (visibility === "private" || visibility === "direct") return "nobody";
  return asked ?? fallback;
}

/**
 * Who may do `kind` by a remote policy, for `actor`: the author themselves always (GoToSocial's
 * implicit rule), then the more specific entry wins (an actor URI over a collection), and an
 * automatic entry over a manual one for the same key. A missing sub-policy means anyone for
 * likes, replies and boosts and nobody but the author for quotes (GoToSocial's and FEP-044f's
 * defaults).
 */
export function remotePermission(
  policy: InteractionPolicy | null,
  kind: Interaction,
  actorUri: string,
  authorUri: string,
  followsAuthor: boolean,
): Permission {
  if (actorUri === authorUri) return "automatic";
  const rule = policy?.[kind];
  if (!rule) return kind === "quote" ? "denied" : "automatic";
  if (rule.automatic.includes(actorUri)) return "automatic";
  if (rule.manual.includes(actorUri)) return "manual";
  const matches = (keys: string[]) =>
    keys.includes("public") || (followsAuthor && keys.includes("followers"));
  if (matches(rule.automatic)) {
    // GoToSocial: membership of a followers collection must still be confirmed by the author.
    return rule.automatic.includes("public") ? "automatic" : "manual";
  }
  if (matches(rule.manual)) return "manual";
  return "denied";
}

/** The viewer's permission to quote a local post by its stored policy. */
function localQuotePermission(status: Status, viewerId: string, followsAuthor: boolean) {
  if (status.visibility === "direct") return "denied";
  if (status.accountId === viewerId) return "automatic";
  if (!distributable(status)) return "denied";
  switch (status.quoteApprovalPolicy) {
    case "public":
      return "automatic";
    case "followers":
      return followsAuthor ? "automatic" : "denied";
    case "nobody":
      return "denied";
  }
}

/**
 * Whether `viewer` may quote `status` (local or remote), as Mastodon 4.5 decides it: never a
 * direct post, always one's own otherwise, never someone else's followers-only post.
 */
export function quotePermission(
  status: Status,
  author: Account,
  viewer: Pick<Account, "id" | "uri">,
  followsAuthor: boolean,
): Permission {
  if (status.local) return localQuotePermission(status, viewer.id, followsAuthor);
  if (status.visibility === "direct") return "denied";
  if (status.accountId !== viewer.id && !distributable(status)) return "denied";
  return remotePermission(status.interactionPolicy, "quote", viewer.uri, author.uri, followsAuthor);
}

/** The `quote_approval` attribute: the policy as keys, and the viewer's own standing. */
export function quoteApprovalOf(
  status: Status,
  author: Account,
  viewer: Pick<Account, "id" | "uri"> | null,
  followsAuthor: boolean,
): QuoteApproval {
  let automatic: string[];
  let manual: string[] = [];
  if (status.local) {
    const policy = distributable(status) ? status.quoteApprovalPolicy : "nobody";
    automatic = policy === "nobody" ? [] : [policy];
  } else {
    const rule = status.interactionPolicy?.quote;
    const keys = (list: string[]) => list.filter((k) => k === "public" || k === "followers");
    automatic = rule ? keys(rule.automatic) : [];
    manual = rule ? keys(rule.manual) : [];
  }
  return {
    automatic,
    manual,
    current_user: viewer ? quotePermission(status, author, viewer, followsAuthor) : "denied",
  };
}

/** Which of `authorIds` the viewer follows (accepted), in one query. */
export async function followedAmong(
  db: Tx,
  viewerId: string | null | undefined,
  authorIds: string[],
): Promise<Set<string>> {
  if (!viewerId || authorIds.length === 0) return new Set();
  const rows = await db
    .select({ id: follows.followingId })
    .from(follows)
    .where(
      and(
        eq(follows.followerId, viewerId),
        inArray(follows.followingId, authorIds),
        eq(follows.state, "accepted"),
      ),
    );
  return new Set(rows.map((r) => r.id));
}

/** A remote QuoteRequest for one of our posts: approved when our policy lets them quote at once. */
export async function mayQuote(
  db: Tx,
  status: Status,
  author: Account,
  requester: Account,
): Promise<boolean> {
  const follows = await followedAmong(db, requester.id, [author.id]);
  return quotePermission(status, author, requester, follows.has(author.id)) === "automatic";
}

/** The account's chosen default for new posts (`local_users.default_quote_policy`). */
export async function defaultQuotePolicy(db: Tx, accountId: string): Promise<QuotePolicy> {
  const [row] = await db
    .select({ policy: localUsers.defaultQuotePolicy })
    .from(localUsers)
    .where(eq(localUsers.accountId, accountId));
  return row?.policy ?? "public";
}
