import type { InteractionRule } from "@fedify/vocab";
import { PUBLIC_COLLECTION } from "@fedify/vocab";
import type { InteractionPolicy } from "../../db/schema/statuses.ts";
import type { Account } from "../../services/accounts/accounts.ts";
import type { QuoteRef } from "../../services/quotes/quotes.ts";
import { httpOrigin } from "../origin-rules.ts";
import type { PostObject } from "./note.ts";

/** At most this many entries per approval list are kept (a policy names a few, not thousands). */
const MAX_ENTRIES = 50;

/**
 * A remote post's `interactionPolicy` (GoToSocial, Mastodon 4.5), normalized: the public
 * collection becomes `public`, the author's followers and following collections `followers` and
 * `following`, the author `author`; other actor URIs are kept as they are. Null: none published.
 */
export function interactionPolicyOf(note: PostObject, author: Account): InteractionPolicy | null {
  const policy = note.interactionPolicy;
  if (!policy) return null;
  const name = (u: URL) =>
    u.href === PUBLIC_COLLECTION.href
      ? "public"
      : u.href === author.followersUrl
        ? "followers"
        : u.href === author.followingUrl
          ? "following"
          : u.href === author.uri
            ? "author"
            : u.href;
  // An empty rule (`{}`, or GoToSocial 0.19's `always` / `approvalRequired`, which Fedify does
  // not read) means the default, as GoToSocial's documentation says.
  const rule = (r: InteractionRule | null) =>
    r && (r.automaticApprovals.length > 0 || r.manualApprovals.length > 0)
      ? {
          automatic: r.automaticApprovals.slice(0, MAX_ENTRIES).map(name),
          manual: r.manualApprovals.slice(0, MAX_ENTRIES).map(name),
        }
      : undefined;
  const out: InteractionPolicy = {
    like: rule(policy.canLike),
    reply: rule(policy.canReply),
    announce: rule(policy.canAnnounce),
    quote: rule(policy.canQuote),
  };
  for (const k of Object.keys(out) as (keyof InteractionPolicy)[]) if (!out[k]) delete out[k];
  return Object.keys(out).length ? out : null;
}

/**
 * What a remote post quotes: FEP-044f `quote`, else `quoteUrl` / `quoteUri` / `_misskey_quote`
 * (Fedify reads all three into one), with its `quoteAuthorization`. Only http(s) URLs count.
 */
export function quoteRefOf(note: PostObject): QuoteRef | null {
  const uri = (note.quoteId ?? note.quoteUrl)?.href;
  if (!uri || !httpOrigin(uri) || uri === note.id?.href) return null;
  const authorization = note.quoteAuthorizationId?.href ?? null;
  return {
    uri,
    authorizationUri: authorization && httpOrigin(authorization) ? authorization : null,
  };
}
