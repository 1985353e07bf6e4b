import {
  Accept,
  AnnounceAuthorization,
  AnnounceRequest,
  type Article,
  Delete,
  InteractionPolicy,
  InteractionRule,
  LikeAuthorization,
  LikeRequest,
  type Note,
  PUBLIC_COLLECTION,
  type Question,
  QuoteAuthorization,
  QuoteRequest,
  Reject,
  ReplyAuthorization,
  ReplyRequest,
} from "@fedify/vocab";
import type { InteractionType, QuotePolicy } from "../../db/schema/statuses.ts";

/**
 * The `interactionPolicy` our Notes publish (GoToSocial's and Mastodon 4.5's): anyone who can
 * see the post may like, reply to and boost it at once (so GoToSocial sends plain interactions,
 * no requests), and `canQuote` says the post's quote policy; the author may always quote.
 */
export function interactionPolicyOf(
  quotePolicy: QuotePolicy,
  authorUri: URL,
  followersUri: URL,
): InteractionPolicy {
  const anyone = () => new InteractionRule({ automaticApprovals: [PUBLIC_COLLECTION] });
  const quoters =
    quotePolicy === "public"
      ? [PUBLIC_COLLECTION]
      : quotePolicy === "followers"
        ? [followersUri, authorUri]
        : [authorUri];
  return new InteractionPolicy({
    canLike: anyone(),
    canReply: anyone(),
    canAnnounce: anyone(),
    canQuote: new InteractionRule({ automaticApprovals: quoters }),
  });
}

/** What one interaction request is about, with its answer's authorization URL (if accepted). */
export interface RequestFacts {
  type: InteractionType;
  requestUri: string;
  requesterUri: string;
  /** Our status. */
  targetUri: string;
  /** The Like, reply or quoting post. */
  objectUri: string;
  authorUri: string;
  authorizationUri: string;
}

const REQUEST_CLASS = {
  quote: QuoteRequest,
  like: LikeRequest,
  reply: ReplyRequest,
  announce: AnnounceRequest,
} as const;

const AUTHORIZATION_CLASS = {
  quote: QuoteAuthorization,
  like: LikeAuthorization,
  reply: ReplyAuthorization,
  announce: AnnounceAuthorization,
} as const;

/** The request as it is echoed in our answer (ids only, never the requester's documents). */
function requestObject(f: RequestFacts) {
  return new REQUEST_CLASS[f.type]({
    id: new URL(f.requestUri),
    actor: new URL(f.requesterUri),
    object: new URL(f.targetUri),
    instrument: new URL(f.objectUri),
  });
}

/** Accept (with the authorization's URL as `result`) or Reject of a request, to the requester. */
export function answerActivity(f: RequestFacts, accepted: boolean, answerId: string) {
  const values = {
    id: new URL(
      `${f.authorUri}#${accepted ? "accepts" : "rejects"}/${f.type}_requests/${answerId}`,
    ),
    actor: new URL(f.authorUri),
    to: new URL(f.requesterUri),
    object: requestObject(f),
  };
  return accepted
    ? new Accept({ ...values, result: new URL(f.authorizationUri) })
    : new Reject(values);
}

/** The authorization we serve at its URL, so that any server can check the interaction. */
export function authorizationObject(f: RequestFacts) {
  return new AUTHORIZATION_CLASS[f.type]({
    id: new URL(f.authorizationUri),
    attribution: new URL(f.authorUri),
    interactingObject: new URL(f.objectUri),
    interactionTarget: new URL(f.targetUri),
  });
}

/** A revoked authorization: Delete of it, as Mastodon sends it. */
export function deleteAuthorizationActivity(f: RequestFacts): Delete {
  return new Delete({
    id: new URL(`${f.authorizationUri}#delete`),
    actor: new URL(f.authorUri),
    to: new URL(f.requesterUri),
    object: new URL(f.authorizationUri),
  });
}

/** Our QuoteRequest for a local post quoting a remote one, the post itself as `instrument`. */
export function quoteRequestActivity(
  requestUri: string,
  quoterUri: string,
  quotedUri: string,
  quotedAuthorUri: string,
  note: Note | Question | Article,
): QuoteRequest {
  return new QuoteRequest({
    id: new URL(requestUri),
    actor: new URL(quoterUri),
    to: new URL(quotedAuthorUri),
    object: new URL(quotedUri),
    instrument: note,
  });
}
