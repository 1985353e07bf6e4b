import type { InboxContext } from "@fedify/fedify";
import {
  Accept,
  Announce,
  type AnnounceRequest,
  Like,
  LikeRequest,
  type QuoteRequest,
  type Reject,
  ReplyRequest,
} from "@fedify/vocab";
import type { InteractionType } from "../../db/schema/statuses.ts";
import { logger } from "../../lib/logger.ts";
import type { Account } from "../../services/accounts/accounts.ts";
import { getAccount } from "../../services/accounts/accounts.ts";
import { receiveLike } from "../../services/favourites/favourites.ts";
import { answerInteractionRequest, mayInteract } from "../../services/interactions/requests.ts";
import { mayQuote } from "../../services/quotes/policy.ts";
import { answerOurQuoteRequest } from "../../services/quotes/quotes.ts";
import { findStatusByUri, upsertRemoteStatus } from "../../services/statuses/remote.ts";
import type { Status } from "../../services/statuses/types.ts";
import type { FedContext } from "../context.ts";
import { isPostObject, noteToStatusData } from "../from-ap/note.ts";
import { onFollowResponse } from "./follow.ts";
import { senderAccount, signedLoader } from "./shared.ts";

const log = logger("federation", "inbox");
type Ctx = InboxContext<FedContext>;
type AnyRequest = QuoteRequest | LikeRequest | ReplyRequest | AnnounceRequest;

/** One of our local statuses others may share (public or unlisted), by the URI a request names. */
async function ourStatus(ctx: Ctx, uri: URL | null): Promise<Status | undefined> {
  if (!uri || uri.origin !== new URL(ctx.data.config.publicUrl).origin) return undefined;
  const status = await findStatusByUri(ctx.data.db, uri.href);
  return status?.local ? status : undefined;
}

/** The request's target and sender, when the target is ours and the sender a remote account. */
async function parties(ctx: Ctx, request: AnyRequest) {
  if (!request.id || !request.instrumentId) return undefined;
  const status = await ourStatus(ctx, request.objectId);
  if (!status) return undefined;
  const requester = await senderAccount(ctx, request);
  if (!requester || requester.domain === null) return undefined;
  return { status, requester, requestUri: request.id.href };
}

/**
 * The post a QuoteRequest or ReplyRequest carries as `instrument` (embedded, or fetched), as we
 * would store it: the requester's own post on the requester's origin, or nothing.
 */
async function instrumentPost(ctx: Ctx, request: AnyRequest, requester: Account) {
  // Checked before anything is parsed or fetched: the post must be on the requester's origin.
  if (request.instrumentId?.origin !== new URL(requester.uri).origin) return null;
  const object = await request
    .getInstrument({ ...(await signedLoader(ctx)), suppressError: true })
    .catch(() => null);
  if (!isPostObject(object) || !object.id || object.id.href !== request.instrumentId?.href)
    return null;
  if (object.id.origin !== new URL(requester.uri).origin) return null;
  if (object.attributionId?.href !== requester.uri) return null;
  return noteToStatusData(ctx.data.db, object, requester);
}

/**
 * Mastodon 4.5's QuoteRequest for one of our posts: the quoting post (the `instrument`) must be
 * the requester's and quote exactly this post. Our policy decides (public: anyone; followers: a
 * follower; nobody: no one but the author); an approval is stored, answered with an Accept whose
 * `result` is the QuoteAuthorization we serve, and the quoting post is kept (its author
 * notified); a refusal is a Reject, and nothing of the post is stored.
 */
export async function onQuoteRequest(ctx: Ctx, request: QuoteRequest): Promise<void> {
  const who = await parties(ctx, request);
  if (!who) return;
  const data = await instrumentPost(ctx, request, who.requester);
  if (!data || data.quote?.uri !== who.status.uri) return;
  const { db } = ctx.data;
  const author = await getAccount(db, who.status.accountId);
  const allowed = await mayQuote(db, who.status, author, who.requester);
  const facts = { type: "quote" as const, ...who, objectUri: data.uri };
  const row = await answerInteractionRequest(db, facts, allowed);
  log.info("QuoteRequest {uri} by {requester}: {state}", {
    uri: who.requestUri,
    requester: who.requester.uri,
    state: row?.state ?? "refused",
  });
  if (row?.state !== "accepted") return;
  await upsertRemoteStatus(db, { ...data, editedAt: null }, { fanOut: true });
}

const TYPE_OF = (request: AnyRequest): InteractionType =>
  request instanceof LikeRequest ? "like" : request instanceof ReplyRequest ? "reply" : "announce";

/**
 * GoToSocial's LikeRequest, ReplyRequest and AnnounceRequest for one of our posts. Our posts let
 * any reader do all three, so a reader's request is approved: the Like counts as a favourite, the
 * reply is stored (as any reply to our posts); a boost is only authorized here (its Announce
 * arrives on its own). A request from someone who may not see the post is rejected.
 */
export async function onInteractionRequest(ctx: Ctx, request: AnyRequest): Promise<void> {
  const who = await parties(ctx, request);
  if (!who) return;
  const type = TYPE_OF(request);
  const instrumentUri = request.instrumentId!;
  // The interaction is the requester's own, on their origin.
  if (instrumentUri.origin !== new URL(who.requester.uri).origin) return;
  const reply = type === "reply" ? await instrumentPost(ctx, request, who.requester) : null;
  if (type === "reply" && reply?.inReplyToUri !== who.status.uri) return;
  if (type !== "reply") {
    // An embedded Like or Announce must be by the requester, of this very post.
    const embedded = await request
      .getInstrument({ documentLoader: noFetch, suppressError: true })
      .catch(() => null);
    const cls = type === "like" ? Like : Announce;
    if (embedded && !(embedded instanceof cls)) return;
    if (embedded instanceof cls) {
      if (embedded.actorId?.href !== who.requester.uri) return;
      if (embedded.objectId?.href !== who.status.uri) return;
    }
  }
  const { db } = ctx.data;
  const allowed = await mayInteract(db, who.status, who.requester);
  const row = await answerInteractionRequest(
    db,
    { type, ...who, objectUri: instrumentUri.href },
    allowed,
  );
  if (row?.state !== "accepted") return;
  if (type === "like") await receiveLike(db, who.requester, who.status, instrumentUri.href);
  if (reply) await upsertRemoteStatus(db, { ...reply, editedAt: null });
}

/** A bare Like or Announce URI is not fetched: only an embedded one is checked. */
const noFetch = async (url: string): Promise<never> => {
  throw new Error(`not fetching ${url}`);
};

/**
 * Accept or Reject: of one of our QuoteRequests (its id is ours, `#quote_requests/`), else of a
 * Follow. An Accept of a quote must name the QuoteAuthorization it grants (`result`).
 */
export async function onAcceptOrReject(ctx: Ctx, activity: Accept | Reject): Promise<void> {
  const requestUri = activity.objectId?.href;
  const ours = new URL(ctx.data.config.publicUrl).origin;
  if (requestUri?.includes("#quote_requests/") && new URL(requestUri).origin === ours) {
    const sender = await senderAccount(ctx, activity);
    if (!sender || sender.domain === null) return;
    const result = activity.resultId?.href;
    if (activity instanceof Accept && !result) return;
    const answer =
      activity instanceof Accept && result
        ? { accepted: true as const, authorizationUri: result }
        : { accepted: false as const };
    await answerOurQuoteRequest(ctx.data.db, sender, requestUri, answer);
    return;
  }
  await onFollowResponse(ctx, activity);
}
