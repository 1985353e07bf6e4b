import type { InboxContext } from "@fedify/fedify";
import { type Create, type Delete, isActor, type Update } from "@fedify/vocab";
import { eq } from "drizzle-orm";
import { accounts } from "../../db/schema/index.ts";
import { logger } from "../../lib/logger.ts";
import { deleteRemoteAccount } from "../../services/accounts/accounts.ts";
import { revokeByAuthorization } from "../../services/quotes/quotes.ts";
import { receiveUndoBoost } from "../../services/reblogs/reblogs.ts";
import {
  arrivalOf,
  deleteRemoteStatus,
  findStatusByUri,
  upsertRemoteStatus,
} from "../../services/statuses/remote.ts";
import type { FedContext } from "../context.ts";
import { persistActor } from "../from-ap/actor.ts";
import { isPostObject, isWanted, noteToStatusData } from "../from-ap/note.ts";
import { cachedKvStore } from "../kv-cache.ts";
import { receivedAsVote } from "./poll-votes.ts";
import { senderAccount, signedLoader } from "./shared.ts";

const log = logger("federation", "inbox");

/** Create of a Note (or Article, Question) that someone here follows, is mentioned in, or replies to. */
export async function onCreate(ctx: InboxContext<FedContext>, create: Create): Promise<void> {
  const object = await create.getObject(await signedLoader(ctx));
  if (!isPostObject(object) || !object.id) return;
  // A Create may only carry the sender's own post.
  if (object.attributionId?.href !== create.actorId?.href) return;
  const author = await senderAccount(ctx, create);
  if (!author || author.domain === null) return;
  if (await receivedAsVote(ctx.data.db, object, author)) return;
  // A Create of a post we already have is a re-delivery: it must neither revert nor mark an edit.
  const { known, authorFollowed } = await arrivalOf(ctx.data.db, object.id.href, author.id);
  if (known) return;
  const data = await noteToStatusData(ctx.data.db, object, author);
  if (!data || !(await isWanted(ctx.data.db, data, { authorFollowed }))) return;
  const saved = await upsertRemoteStatus(
    ctx.data.db,
    { ...data, editedAt: null },
    { knownNew: true, fanOut: true, fromQueuedJob: true },
  );
  if (saved)
    log.debug("Stored {uri} for {readers} readers", { uri: data.uri, readers: saved.readers });
}

/** Update of a known post (an edit) or of the sender's own actor (profile change). */
export async function onUpdate(ctx: InboxContext<FedContext>, update: Update): Promise<void> {
  const object = await update.getObject(await signedLoader(ctx));
  if (!object?.id || !update.actorId) return;
  if (isActor(object)) {
    if (object.id.href === update.actorId.href) {
      await persistActor(ctx.data.db, object, {
        allowPrivateAddresses: ctx.data.config.allowPrivateAddresses,
      });
      // A profile Update may come with a new key (rotation): its keys are fetched again.
      const keyIds = [...object.publicKeyIds, ...object.assertionMethodIds].map((u) => u.href);
      await cachedKvStore(ctx.data.db).forgetKeysOf(object.id.href, keyIds);
    }
    return;
  }
  if (!isPostObject(object) || object.attributionId?.href !== update.actorId.href) return;
  const known = await findStatusByUri(ctx.data.db, object.id.href);
  if (!known) return; // an edit of something we never kept: nothing to update
  const author = await senderAccount(ctx, update);
  if (!author || author.id !== known.accountId) return;
  const data = await noteToStatusData(ctx.data.db, object, author);
  if (!data) return;
  await upsertRemoteStatus(
    ctx.data.db,
    { ...data, editedAt: data.editedAt ?? new Date() },
    { fanOut: true, fromQueuedJob: true },
  );
}

/**
 * Delete of a post by its author, of a boost (its Announce's id), of a QuoteAuthorization, or of
 * the sender's whole account.
 */
export async function onDelete(ctx: InboxContext<FedContext>, del: Delete): Promise<void> {
  if (!del.objectId || !del.actorId) return;
  const [sender] = await ctx.data.db
    .select()
    .from(accounts)
    .where(eq(accounts.uri, del.actorId.href));
  if (!sender || sender.domain === null) return; // nothing of theirs is stored here
  if (del.objectId.href === sender.uri) {
    await deleteRemoteAccount(ctx.data.db, sender.id);
    log.info("Deleted account {uri} on its request", { uri: sender.uri });
    return;
  }
  // A QuoteAuthorization its author withdraws: the quote it allowed is revoked.
  if (await revokeByAuthorization(ctx.data.db, sender, del.objectId.href)) return;
  // Mastodon deletes a boost this way too: by the Announce's id, the booster's own only.
  if (await receiveUndoBoost(ctx.data.db, sender.id, { uri: del.objectId.href })) return;
  await deleteRemoteStatus(ctx.data.db, del.objectId.href, sender.id);
}
