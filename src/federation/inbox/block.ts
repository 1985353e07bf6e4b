import type { InboxContext } from "@fedify/fedify";
import type { Block } from "@fedify/vocab";
import { logger } from "../../lib/logger.ts";
import { type Account, findLocalAccount } from "../../services/accounts/accounts.ts";
import { receiveBlock, receiveUndoBlock } from "../../services/safety/blocks.ts";
import type { FedContext } from "../context.ts";
import { senderAccount } from "./shared.ts";

const log = logger("federation", "inbox");

/** The local account a Block (or its Undo) names as its object, if any. */
async function blockedLocal(ctx: InboxContext<FedContext>, objectId: URL | null) {
  const parsed = objectId ? ctx.parseUri(objectId) : null;
  if (parsed?.type !== "actor") return undefined;
  return findLocalAccount(ctx.data.db, parsed.identifier);
}

/**
 * A remote actor blocks a local account: stored (so `blocked_by` shows and nothing of theirs
 * reaches the account), follows removed both ways.
 */
export async function onBlock(ctx: InboxContext<FedContext>, block: Block): Promise<void> {
  if (!block.id) return;
  const target = await blockedLocal(ctx, block.objectId);
  if (!target) return;
  const actor = await senderAccount(ctx, block);
  if (!actor || actor.domain === null) return;
  await receiveBlock(ctx.data.db, actor, target, block.id.href);
  log.info("{actor} blocks {target}", { actor: actor.uri, target: target.username });
}

/** Undo(Block) by its id; true when it matched one. */
export async function onUndoBlock(sender: Account, ctx: InboxContext<FedContext>, uri: string) {
  return receiveUndoBlock(ctx.data.db, sender.id, { uri });
}

/** Undo of an embedded Block whose id we do not know: by the blocked local actor. */
export async function onUndoBlockOf(
  ctx: InboxContext<FedContext>,
  sender: Account,
  block: Block,
): Promise<void> {
  if (block.actorId?.href !== sender.uri) return;
  const target = await blockedLocal(ctx, block.objectId);
  if (target) await receiveUndoBlock(ctx.data.db, sender.id, { targetAccountId: target.id });
}
