import type { FederationBuilder } from "@fedify/fedify";
import { Accept, Create, Delete, Follow, Reject, Undo, Update } from "@fedify/vocab";
import { logger } from "../../lib/logger.ts";
import { paths } from "../../lib/urls.ts";
import { type FedContext, INSTANCE_ACTOR } from "../context.ts";
import { onFollow, onFollowResponse, onUndo } from "./follow.ts";
import { onCreate, onDelete, onUpdate } from "./posts.ts";

const log = logger("federation", "inbox");

/** Personal and shared inboxes; each activity type has its listener in this folder. */
export function registerInbox(builder: FederationBuilder<FedContext>): void {
  builder
    .setInboxListeners(paths.inbox, paths.sharedInbox)
    .setSharedKeyDispatcher(() => ({ identifier: INSTANCE_ACTOR }))
    // GoToSocial reuses one id for every Update of a status, so Updates are never dropped as
    // duplicates (applying one twice is harmless); everything else is de-duplicated by id.
    .withIdempotency((ctx, activity) =>
      activity.id && !(activity instanceof Update) ? `${ctx.origin}:${activity.id.href}` : null,
    )
    .on(Follow, onFollow)
    .on(Undo, onUndo)
    .on(Accept, onFollowResponse)
    .on(Reject, onFollowResponse)
    .on(Create, onCreate)
    .on(Update, onUpdate)
    .on(Delete, onDelete)
    .onError((_ctx, error) => {
      log.error("Inbox listener failed: {error}", { error });
    });
}
