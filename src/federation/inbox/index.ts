import type { FederationBuilder } from "@fedify/fedify";
import {
  Accept,
  Add,
  Announce,
  AnnounceRequest,
  Block,
  Create,
  Delete,
  Flag,
  Follow,
  Like,
  LikeRequest,
  QuoteRequest,
  Reject,
  Remove,
  ReplyRequest,
  Undo,
  Update,
} from "@fedify/vocab";
import { eq } from "drizzle-orm";
import type { Db } from "../../db/client.ts";
import { kv } from "../../db/schema/index.ts";
import { logger } from "../../lib/logger.ts";
import { paths } from "../../lib/urls.ts";
import type { FedContext } from "../context.ts";
import { instanceSigningKey } from "../dispatchers/actors.ts";
import { onAnnounce } from "./announce.ts";
import { onBlock } from "./block.ts";
import { onAdd, onRemove } from "./featured.ts";
import { onFlag } from "./flag.ts";
import { onFollow, onUndo } from "./follow.ts";
import { onAcceptOrReject, onInteractionRequest, onQuoteRequest } from "./interactions.ts";
import { onLike } from "./like.ts";
import { checked } from "./origins.ts";
import { onCreate, onDelete, onUpdate } from "./posts.ts";

const log = logger("federation", "inbox");

/**
 * Fedify 2.3.6's queue worker ignores the idempotency callback: after processing an activity it
 * records `["_fedify", "activityIdempotence", origin, id]` in the KV store for a day and drops any
 * later activity with that id. GoToSocial's next edit (or poll count) of a status reuses the
 * Update id, and a re-sent Follow keeps its id, so the record is forgotten when an Update or a
 * Follow arrives (before it is queued), and each is applied. Keys are stored as JSON text by PgKvStore.
 */
async function forgetProcessedActivity(db: Db, origin: string, id: string): Promise<void> {
  await db
    .delete(kv)
    .where(eq(kv.key, JSON.stringify(["_fedify", "activityIdempotence", origin, id])));
}

/**
 * Personal and shared inboxes; each activity type has its listener in this folder, registered
 * through `checked` (the origin rules on the parsed activity).
 */
export function registerInbox(builder: FederationBuilder<FedContext>): void {
  builder
    .setInboxListeners(paths.inbox, paths.sharedInbox)
    .setSharedKeyDispatcher(instanceSigningKey)
    // GoToSocial reuses one id for every Update of a status, and a peer that lost our Accept
    // sends its Follow again under the same id: both are applied again (harmless, as their
    // listeners are idempotent); everything else is de-duplicated by id in the queue worker.
    // No key is checked when the POST arrives: with a queue, Fedify 2.3.6 looks up the key this
    // callback gives there but never writes it (the worker records its own, shown above), so
    // that lookup was one statement per POST that could never find anything.
    .withIdempotency(async (ctx, activity) => {
      if (activity.id && (activity instanceof Update || activity instanceof Follow))
        await forgetProcessedActivity(ctx.data.db, ctx.origin, activity.id.href);
      return null;
    })
    .on(Follow, checked(onFollow))
    .on(Undo, checked(onUndo))
    // Accept and Reject of our Follows, and of our QuoteRequests.
    .on(Accept, checked(onAcceptOrReject))
    .on(Reject, checked(onAcceptOrReject))
    .on(Create, checked(onCreate))
    .on(Update, checked(onUpdate))
    .on(Delete, checked(onDelete))
    .on(Like, checked(onLike))
    .on(Add, checked(onAdd))
    .on(Remove, checked(onRemove))
    .on(QuoteRequest, checked(onQuoteRequest))
    .on(LikeRequest, checked(onInteractionRequest))
    .on(ReplyRequest, checked(onInteractionRequest))
    .on(AnnounceRequest, checked(onInteractionRequest))
    .on(Announce, checked(onAnnounce))
    .on(Block, checked(onBlock))
    .on(Flag, checked(onFlag))
    .onError((_ctx, error) => {
      log.error("Inbox listener failed: {error}", { error });
    });
}
