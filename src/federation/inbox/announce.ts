import type { InboxContext } from "@fedify/fedify";
import type { Announce } from "@fedify/vocab";
import { logger } from "../../lib/logger.ts";
import type { Account } from "../../services/accounts/accounts.ts";
import { receiveAnnounce } from "../../services/reblogs/inbound.ts";
import { receiveUndoBoost } from "../../services/reblogs/reblogs.ts";
import { findStatusByUri } from "../../services/statuses/remote.ts";
import type { FedContext } from "../context.ts";
import { visibilityOf } from "../from-ap/note.ts";
import { httpOrigin } from "../origin-rules.ts";
import { senderAccount } from "./shared.ts";

const log = logger("federation", "inbox");

/**
 * Announce (a boost). Its id is on the actor's origin (`checked`); the boosted object may be on
 * any origin, so only its id is used: a post we have is looked up by it, an unknown one is
 * fetched from its own origin by the worker (services/reblogs/inbound.ts). An object the
 * Announce embeds is never believed (anyone can write anything inside their own activity).
 */
export async function onAnnounce(ctx: InboxContext<FedContext>, announce: Announce): Promise<void> {
  if (!announce.id || !announce.objectId || announce.objectIds.length !== 1) return;
  if (!httpOrigin(announce.objectId.href)) return;
  const booster = await senderAccount(ctx, announce);
  if (!booster || booster.domain === null) return;
  const outcome = await receiveAnnounce(
    ctx.data.db,
    booster,
    {
      uri: announce.id.href,
      objectUri: announce.objectId.href,
      visibility: visibilityOf(announce, booster),
      publishedAt: announce.published
        ? new Date(Math.min(announce.published.epochMilliseconds, Date.now()))
        : new Date(),
    },
    new URL(ctx.data.config.publicUrl).origin,
  );
  log.debug("{booster} boosts {object}: {outcome}", {
    booster: booster.uri,
    object: announce.objectId.href,
    outcome,
  });
}

/**
 * Undo(Announce) (or Delete of it) by its id, only among the sender's own boosts: true when one
 * was removed (the caller then stops). A forged Undo naming someone else's boost removes none.
 */
export function onUndoAnnounce(
  ctx: InboxContext<FedContext>,
  sender: Account,
  announceUri: string,
): Promise<boolean> {
  return receiveUndoBoost(ctx.data.db, sender.id, { uri: announceUri });
}

/** Undo(Announce) whose id we do not have: matched by the sender's boost of the same object. */
export async function onUndoAnnounceOf(
  ctx: InboxContext<FedContext>,
  sender: Account,
  announce: Announce,
): Promise<void> {
  if (announce.actorId?.href !== sender.uri || !announce.objectId) return;
  const original = await findStatusByUri(ctx.data.db, announce.objectId.href);
  if (original) await receiveUndoBoost(ctx.data.db, sender.id, { originalId: original.id });
}
