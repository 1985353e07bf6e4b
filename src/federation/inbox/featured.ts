import type { InboxContext } from "@fedify/fedify";
import type { Add, Remove } from "@fedify/vocab";
import { logger } from "../../lib/logger.ts";
import type { Account } from "../../services/accounts/accounts.ts";
import { addRemotePin, removeRemotePin } from "../../services/pins/pins.ts";
import { findStatusByUri } from "../../services/statuses/remote.ts";
import type { FedContext } from "../context.ts";
import { featuredPost } from "../featured.ts";
import { httpOrigin } from "../origin-rules.ts";
import { senderAccount } from "./shared.ts";

const log = logger("federation", "inbox");

/**
 * The sender and the post of an `Add` or `Remove` aimed at the sender's own featured collection
 * (the `featured` its actor document names), with one object on the sender's origin. Anything else
 * (someone else's collection, another collection, a post elsewhere) is null: dropped, as Mastodon
 * ignores Adds to collections it does not follow.
 */
async function ownFeaturedChange(
  ctx: InboxContext<FedContext>,
  activity: Add | Remove,
): Promise<{ account: Account; objectUri: string } | null> {
  const target = activity.targetId?.href;
  const objects = activity.objectIds;
  if (!target || objects.length !== 1) return null;
  const account = await senderAccount(ctx, activity);
  if (!account?.domain || !account.featuredUrl || account.featuredUrl !== target) return null;
  if (httpOrigin(objects[0].href) !== httpOrigin(account.uri)) return null;
  return { account, objectUri: objects[0].href };
}

/** `Add` to the sender's featured collection: its post is pinned (fetched first if unknown). */
export async function onAdd(ctx: InboxContext<FedContext>, add: Add): Promise<void> {
  const change = await ownFeaturedChange(ctx, add);
  if (!change) return;
  const status = await featuredPost(ctx, change.account, change.objectUri);
  if (status && (await addRemotePin(ctx.data.db, change.account, status)))
    log.info("{account} pinned {status}", { account: change.account.uri, status: status.uri });
}

/** `Remove` from the sender's featured collection: its pin of that post goes (nothing fetched). */
export async function onRemove(ctx: InboxContext<FedContext>, remove: Remove): Promise<void> {
  const change = await ownFeaturedChange(ctx, remove);
  if (!change) return;
  const status = await findStatusByUri(ctx.data.db, change.objectUri);
  if (status) await removeRemotePin(ctx.data.db, change.account, status.id);
}
