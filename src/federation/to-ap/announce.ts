import type { Context } from "@fedify/fedify";
import { Announce, PUBLIC_COLLECTION, Undo } from "@fedify/vocab";
import { Temporal } from "@js-temporal/polyfill";
import type { Visibility } from "../../db/schema/statuses.ts";
import type { Account } from "../../services/accounts/accounts.ts";
import type { StatusBundle } from "../../services/statuses/types.ts";
import type { FedContext } from "../context.ts";

export interface AnnounceFacts {
  /** The Announce's id: the boost's uri (`<status url>/activity`, served there). */
  uri: string;
  actorUri: string;
  followersUri: string;
  /** The boosted status and its author. */
  objectUri: string;
  authorUri: string;
  visibility: Visibility;
  published: Date;
}

/** The facts of a local boost (`boost`, by `booster`) of `boosted`. */
export function announceFacts(
  ctx: Context<FedContext>,
  booster: Account,
  boosted: StatusBundle,
  boost: { uri: string; visibility: Visibility; createdAt: Date },
): AnnounceFacts {
  return {
    uri: boost.uri,
    actorUri: booster.uri,
    followersUri: ctx.getFollowersUri(booster.username).href,
    objectUri: boosted.status.uri,
    authorUri: boosted.account.uri,
    visibility: boost.visibility,
    published: boost.createdAt,
  };
}

/**
 * Mastodon's addressing of an Announce: public to Public (cc followers), unlisted to followers
 * (cc Public), followers-only to followers; the boosted author is always in cc (not the booster
 * boosting their own post), so their server counts and notifies it.
 */
export function announceAddressing(f: AnnounceFacts): { tos: URL[]; ccs: URL[] } {
  const followers = new URL(f.followersUri);
  const author = f.authorUri === f.actorUri ? [] : [new URL(f.authorUri)];
  switch (f.visibility) {
    case "public":
      return { tos: [PUBLIC_COLLECTION], ccs: [followers, ...author] };
    case "unlisted":
      return { tos: [followers], ccs: [PUBLIC_COLLECTION, ...author] };
    default:
      return { tos: [followers], ccs: author };
  }
}

/** A boost as the Announce Mastodon sends and serves: the boosted status by its id. */
export function announceActivity(f: AnnounceFacts): Announce {
  const { tos, ccs } = announceAddressing(f);
  return new Announce({
    id: new URL(f.uri),
    actor: new URL(f.actorUri),
    object: new URL(f.objectUri),
    published: Temporal.Instant.fromEpochMilliseconds(f.published.getTime()),
    tos,
    ccs,
  });
}

/** Undo of that Announce, embedding it (same addressing) so a peer can match it by id or content. */
export function undoAnnounceActivity(f: AnnounceFacts): Undo {
  const { tos, ccs } = announceAddressing(f);
  return new Undo({
    id: new URL(`${f.uri}#undo`),
    actor: new URL(f.actorUri),
    object: announceActivity(f),
    tos,
    ccs,
  });
}
