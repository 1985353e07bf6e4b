import type { InboxContext } from "@fedify/fedify";
import { Accept, Announce, Block, Follow, isActor, Like, Reject, type Undo } from "@fedify/vocab";
import { newId } from "../../lib/ids.ts";
import { logger } from "../../lib/logger.ts";
import { findAccountByUri, findLocalAccount } from "../../services/accounts/accounts.ts";
import {
  markFollowAccepted,
  markFollowRejected,
  receiveFollow,
  receiveUndoFollow,
} from "../../services/follows/follows.ts";
import { blockedBetween } from "../../services/safety/blocks.ts";
import type { FedContext } from "../context.ts";
import { onUndoAnnounce, onUndoAnnounceOf } from "./announce.ts";
import { onUndoBlock, onUndoBlockOf } from "./block.ts";
import { onUndoLike, onUndoLikeOf } from "./like.ts";
import { senderAccount, signedLoader } from "./shared.ts";

const log = logger("federation", "inbox");

/** Follow of a local account: stored, then accepted at once unless the account is locked. */
export async function onFollow(ctx: InboxContext<FedContext>, follow: Follow): Promise<void> {
  if (!follow.id || !follow.objectId) return;
  const target = ctx.parseUri(follow.objectId);
  if (target?.type !== "actor") return;
  const account = await findLocalAccount(ctx.data.db, target.identifier);
  if (!account) return;
  const follower = await senderAccount(ctx, follow);
  if (!follower || follower.domain === null) return;
  // A blocked (or domain-blocked) actor cannot follow: answered with a Reject, nothing stored.
  if (await blockedBetween(ctx.data.db, account.id, follower.id))
    return rejectFollow(ctx, account.username, follow);
  const row = await receiveFollow(ctx.data.db, follower, account, follow.id.href);
  log.info("{follower} follows {target} ({state})", {
    follower: follower.uri,
    target: account.username,
    state: row.state,
  });
  if (row.state !== "accepted") return;
  const actor = await follow.getActor(await signedLoader(ctx));
  if (!actor || !isActor(actor)) return;
  await ctx.sendActivity(
    { identifier: account.username },
    actor,
    new Accept({
      id: new URL(`${account.uri}#accepts/${newId()}`),
      actor: ctx.getActorUri(account.username),
      // The Follow as Mastodon echoes it: its id, actor and object. The parsed one would carry
      // the follower's fetched actor document into the queued Accept (a NUL in it, or 8 kB).
      object: new Follow({ id: follow.id, actor: follow.actorId, object: follow.objectId }),
      to: actor.id,
    }),
  );
}

async function rejectFollow(ctx: InboxContext<FedContext>, username: string, follow: Follow) {
  const actor = await follow.getActor(await signedLoader(ctx)).catch(() => null);
  if (!actor || !isActor(actor)) return;
  await ctx.sendActivity(
    { identifier: username },
    actor,
    new Reject({
      id: new URL(`${ctx.getActorUri(username).href}#rejects/${newId()}`),
      actor: ctx.getActorUri(username),
      object: new Follow({ id: follow.id, actor: follow.actorId, object: follow.objectId }),
      to: actor.id,
    }),
  );
}

/**
 * Undo of a Follow, a Like (`like.ts`) or an Announce (`announce.ts`); other Undo kinds are not
 * kept by Tern yet.
 */
export async function onUndo(ctx: InboxContext<FedContext>, undo: Undo): Promise<void> {
  // Only a known sender can have relations to undo: no fetch needed.
  const sender = undo.actorId ? await findAccountByUri(ctx.data.db, undo.actorId.href) : undefined;
  if (!sender || sender.domain === null || !undo.objectId) return;
  if (await onUndoBlock(sender, ctx, undo.objectId.href)) return;
  // snac names the followed actor instead of the Follow.
  const parsed = ctx.parseUri(undo.objectId);
  if (parsed?.type === "actor") {
    const target = await findLocalAccount(ctx.data.db, parsed.identifier);
    if (target) await receiveUndoFollow(ctx.data.db, sender.id, { followingId: target.id });
    return;
  }
  if (await receiveUndoFollow(ctx.data.db, sender.id, { followUri: undo.objectId.href })) return;
  if (await onUndoLike(ctx, sender, undo.objectId.href)) return;
  if (await onUndoAnnounce(ctx, sender, undo.objectId.href)) return;
  // The Follow's id may be one we no longer have (a re-sent Follow): fall back to its object.
  const object = await undo
    .getObject({ ...(await signedLoader(ctx)), suppressError: true })
    .catch(() => null);
  if (object instanceof Like) return onUndoLikeOf(ctx, sender, object);
  if (object instanceof Announce) return onUndoAnnounceOf(ctx, sender, object);
  if (object instanceof Block) return onUndoBlockOf(ctx, sender, object);
  if (object instanceof Follow && object.actorId?.href === sender.uri && object.objectId) {
    const target = ctx.parseUri(object.objectId);
    const account =
      target?.type === "actor" ? await findLocalAccount(ctx.data.db, target.identifier) : undefined;
    if (account) await receiveUndoFollow(ctx.data.db, sender.id, { followingId: account.id });
  }
}

/** Accept or Reject of a Follow one of our accounts sent. */
export async function onFollowResponse(
  ctx: InboxContext<FedContext>,
  activity: Accept | Reject,
): Promise<void> {
  const sender = await senderAccount(ctx, activity);
  if (!sender || sender.domain === null) return;
  const followUri = activity.objectId?.href ?? null;
  const mark = activity instanceof Accept ? markFollowAccepted : markFollowRejected;
  // Match by our Follow's id. A peer that answers with an id of its own can still be accepted
  // (it only confirms a request we sent); a Reject must name our Follow exactly.
  if (await mark(ctx.data.db, sender.id, followUri)) return;
  if (activity instanceof Accept) await markFollowAccepted(ctx.data.db, sender.id, null);
}
