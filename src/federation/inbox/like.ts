import type { InboxContext } from "@fedify/fedify";
import type { Like } from "@fedify/vocab";
import { logger } from "../../lib/logger.ts";
import type { Account } from "../../services/accounts/accounts.ts";
import { receiveLike, receiveUndoLike } from "../../services/favourites/favourites.ts";
import { findStatusByUri } from "../../services/statuses/remote.ts";
import { canView } from "../../services/statuses/visibility.ts";
import type { FedContext } from "../context.ts";
import { senderAccount } from "./shared.ts";

const log = logger("federation", "inbox");

/** One of our local statuses, by the URI a Like names; anything else is not ours to count. */
async function ourStatus(ctx: InboxContext<FedContext>, uri: URL | null) {
  if (!uri || uri.origin !== new URL(ctx.data.config.publicUrl).origin) return undefined;
  const status = await findStatusByUri(ctx.data.db, uri.href);
  return status?.local ? status : undefined;
}

/**
 * Like of one of our statuses: stored as a favourite (its id kept to match the Undo), counted,
 * and the author notified. Misskey's reactions arrive as a Like with `_misskey_reaction` and are
 * kept as plain favourites, as Mastodon does. The liker must be able to see the status: a Like
 * of a followers-only post by a non-follower is dropped, so it cannot probe or count it.
 */
export async function onLike(ctx: InboxContext<FedContext>, like: Like): Promise<void> {
  if (!like.id) return;
  const status = await ourStatus(ctx, like.objectId);
  if (!status) return;
  const liker = await senderAccount(ctx, like);
  if (!liker || liker.domain === null) return;
  if (!(await canView(ctx.data.db, status, liker.id))) return;
  if (await receiveLike(ctx.data.db, liker, status, like.id.href))
    log.info("{liker} likes {status}", { liker: liker.uri, status: status.uri });
}

/**
 * Undo(Like) by its id, only among the sender's own favourites: true when one was removed (the
 * caller, the Undo listener, then stops). A forged Undo naming someone else's Like removes none.
 */
export function onUndoLike(
  ctx: InboxContext<FedContext>,
  sender: Account,
  likeUri: string,
): Promise<boolean> {
  return receiveUndoLike(ctx.data.db, sender.id, { likeUri });
}

/** Undo(Like) whose Like id we do not have (re-minted, or lost): matched by actor and object. */
export async function onUndoLikeOf(
  ctx: InboxContext<FedContext>,
  sender: Account,
  like: Like,
): Promise<void> {
  if (like.actorId?.href !== sender.uri) return;
  const status = await ourStatus(ctx, like.objectId);
  if (status) await receiveUndoLike(ctx.data.db, sender.id, { statusId: status.id });
}
