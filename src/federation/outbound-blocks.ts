import type { Context } from "@fedify/fedify";
import { Block, Undo } from "@fedify/vocab";
import { newId } from "../lib/ids.ts";
import { type Account, getAccount } from "../services/accounts/accounts.ts";
import type { TernJob } from "../services/jobs.ts";
import { getBlock } from "../services/safety/blocks.ts";
import type { FedContext } from "./context.ts";
import { recipientOf } from "./outbound.ts";

type Ctx = Context<FedContext>;

function blockObject(blocker: Account, target: Account, uri: string): Block {
  return new Block({ id: new URL(uri), actor: new URL(blocker.uri), object: new URL(target.uri) });
}

async function pair(ctx: Ctx, accountId: string, targetId: string) {
  const [blocker, target] = await Promise.all([
    getAccount(ctx.data.db, accountId).catch(() => null),
    getAccount(ctx.data.db, targetId).catch(() => null),
  ]);
  if (!blocker || blocker.domain !== null || !target?.inboxUrl || target.domain === null)
    return null;
  return { blocker, target };
}

/** `Block` to the blocked remote account (Mastodon sends it; the peer drops its follows too). */
export async function sendBlock(ctx: Ctx, blockId: string): Promise<void> {
  const block = await getBlock(ctx.data.db, blockId);
  if (!block) return; // taken back before it went out: the Undo has nothing to undo either
  const both = await pair(ctx, block.accountId, block.targetAccountId);
  if (!both) return;
  await ctx.sendActivity(
    { identifier: both.blocker.username },
    recipientOf(both.target),
    blockObject(both.blocker, both.target, block.uri),
    // One key per pair, so an Undo never overtakes its Block.
    { orderingKey: `${both.blocker.uri} block ${both.target.uri}` },
  );
}

export async function sendUndoBlock(
  ctx: Ctx,
  job: Extract<TernJob, { type: "block.undone" }>,
): Promise<void> {
  const both = await pair(ctx, job.accountId, job.targetAccountId);
  if (!both) return;
  const undo = new Undo({
    id: new URL(`${both.blocker.uri}#undo-blocks/${newId()}`),
    actor: new URL(both.blocker.uri),
    object: blockObject(both.blocker, both.target, job.uri),
  });
  await ctx.sendActivity({ identifier: both.blocker.username }, recipientOf(both.target), undo, {
    orderingKey: `${both.blocker.uri} block ${both.target.uri}`,
  });
}
