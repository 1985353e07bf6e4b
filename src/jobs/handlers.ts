import type { Context } from "@fedify/fedify";
import type { FedContext } from "../federation/context.ts";
import { syncFeaturedCollection } from "../federation/featured.ts";
import { PgKvStore } from "../federation/kv-store.ts";
import {
  sendActorUpdate,
  sendAnnounce,
  sendFollow,
  sendFollowAnswer,
  sendLike,
  sendPinChange,
  sendStatus,
  sendStatusDelete,
  sendUndoAnnounce,
  sendUndoFollow,
  sendUndoLike,
} from "../federation/outbound.ts";
import { sendBlock, sendUndoBlock } from "../federation/outbound-blocks.ts";
import {
  sendAuthorizationDelete,
  sendInteractionAnswer,
  sendQuoteRequest,
} from "../federation/outbound-interactions.ts";
import { sendPollUpdate, sendPollVotes } from "../federation/outbound-polls.ts";
import { sendFlag } from "../federation/outbound-reports.ts";
import { verifyRemoteQuote } from "../federation/quote-verify.ts";
import { remotePostResolver, resolveRemoteAccount } from "../federation/resolve.ts";
import { getAccount } from "../services/accounts/accounts.ts";
import { verifyProfileLinks } from "../services/accounts/verify-links.ts";
import { aggregateReach } from "../services/analytics/deliveries.ts";
import { getFollow } from "../services/follows/follows.ts";
import { runImportBatch } from "../services/imports/import.ts";
import type { TernJob } from "../services/jobs.ts";
import { sendQueuedMail } from "../services/mail/send.ts";
import { deleteMediaFiles, processPendingMedia } from "../services/media/media.ts";
import { clearDomainMedia } from "../services/media/rejected-domains.ts";
import { cacheRemoteMedia, cacheRemoteProfileImages } from "../services/media/remote.ts";
import { closePoll } from "../services/polls/close.ts";
import { deliverPush, queuePushDeliveries } from "../services/push/deliver.ts";
import { storeFetchedBoost } from "../services/reblogs/inbound.ts";
import { purgeDomain } from "../services/safety/server-domains.ts";
import { publishScheduledStatus } from "../services/scheduled/publish.ts";
import { runCleanupPolicy } from "../services/statuses/cleanup.ts";
import { fetchMissingParent } from "../services/statuses/parents.ts";
import { fanOutToHomeFeeds } from "../services/timelines/fanout.ts";

/** Runs one of Tern's own jobs. Throwing makes the queue retry it with backoff. */
export async function runJob(ctx: Context<FedContext>, job: TernJob): Promise<void> {
  const { db } = ctx.data;
  switch (job.type) {
    case "status.created":
      await fanOutToHomeFeeds(db, job.statusId);
      await sendStatus(ctx, job.statusId, "create");
      return;
    case "status.updated":
      await sendStatus(ctx, job.statusId, "update");
      return;
    case "status.deleted":
      await sendStatusDelete(ctx, job);
      return;
    case "status.fetch_parent":
      // A parent that cannot be had is given up (no retry): it only completes a thread.
      await fetchMissingParent(db, job.uri, job.budget, remotePostResolver(ctx));
      return;
    case "follow.requested":
      await sendFollow(ctx, job.followId);
      return;
    case "follow.undone":
      await sendUndoFollow(ctx, job);
      return;
    case "follow.accepted": {
      const follow = await getFollow(db, job.followId);
      if (!follow) return;
      const [target, follower] = await Promise.all([
        getAccount(db, follow.followingId),
        getAccount(db, follow.followerId),
      ]);
      await sendFollowAnswer(ctx, target, follower, follow.uri, true);
      return;
    }
    case "follow.rejected": {
      const [target, follower] = await Promise.all([
        getAccount(db, job.followingId),
        getAccount(db, job.followerId),
      ]);
      await sendFollowAnswer(ctx, target, follower, job.followUri, false);
      return;
    }
    case "favourite.created":
      await sendLike(ctx, job.favouriteId);
      return;
    case "favourite.undone":
      await sendUndoLike(ctx, job);
      return;
    case "pin.added":
    case "pin.removed":
      await sendPinChange(ctx, job);
      return;
    case "account.fetch_featured":
      // A collection that cannot be read is given up (no retry): the next refresh reads it again.
      await syncFeaturedCollection(ctx, job.accountId);
      return;
    case "quote.requested":
      await sendQuoteRequest(ctx, job.quoteId);
      return;
    case "interaction.answered":
      await sendInteractionAnswer(ctx, job.requestId);
      return;
    case "quote.revoked":
      await sendAuthorizationDelete(ctx, job.requestId);
      return;
    case "quote.verify":
      // A quote that cannot be verified stays pending (no retry): it is only not embedded.
      await verifyRemoteQuote(ctx, job.quoteId);
      return;
    case "reblog.created":
      await fanOutToHomeFeeds(db, job.statusId);
      await sendAnnounce(ctx, job.statusId);
      return;
    case "reblog.undone":
      await sendUndoAnnounce(ctx, job);
      return;
    case "reblog.fetch_original":
      // An original that cannot be had is given up (no retry), and nothing is stored.
      await storeFetchedBoost(db, job, remotePostResolver(ctx));
      return;
    case "media.process":
      await processPendingMedia(db, ctx.data.config, job.mediaId);
      return;
    case "media.delete_files":
      await deleteMediaFiles(ctx.data.config, job.keys);
      return;
    case "status.cleanup":
      await runCleanupPolicy(db, job.accountId);
      return;
    case "account.updated":
      await sendActorUpdate(ctx, job.accountId);
      return;
    case "poll.close":
      await closePoll(db, job.pollId);
      return;
    case "poll.updated":
      await sendPollUpdate(ctx, job.pollId);
      return;
    case "poll.voted":
      await sendPollVotes(ctx, job.pollId, job.accountId);
      return;
    case "block.created":
      await sendBlock(ctx, job.blockId);
      return;
    case "block.undone":
      await sendUndoBlock(ctx, job);
      return;
    case "domain.purge":
      await purgeDomain(db, job.domain);
      return;
    case "domain.clear_media":
      await clearDomainMedia(db, job.domain);
      return;
    case "push.notification":
      await queuePushDeliveries(db, job.notificationId);
      return;
    case "push.deliver":
      await deliverPush(db, ctx.data.config.publicUrl, job);
      return;
    case "media.cache_remote":
      // What cannot be copied stays a link (no retry).
      await cacheRemoteMedia(db, ctx.data.config, job.mediaId);
      return;
    case "account.cache_images":
      await cacheRemoteProfileImages(db, ctx.data.config, job.accountId);
      return;
    case "account.verify_links":
      // A page that cannot be had leaves the field unverified (no retry).
      await verifyProfileLinks(db, job.accountId);
      return;
    case "report.forward":
      await sendFlag(ctx, job.reportId);
      return;
    case "status.publish_scheduled":
      await publishScheduledStatus(db, ctx.data.config, job.scheduledStatusId);
      return;
    case "analytics.aggregate":
      await aggregateReachSince(db);
      return;
    case "import.run":
      await runImportBatch(db, job.importId, {
        localHost: ctx.data.config.host,
        resolveAccount: (handle) => resolveRemoteAccount(ctx.federation, ctx.data, handle),
      });
      return;
    case "mail.send":
      await sendQueuedMail(ctx.data.config, job);
      return;
  }
}

const REACH_WATERMARK = ["tern", "analytics", "aggregated"] as const;

/** One aggregation run from the watermark the last run left in the KV store. */
async function aggregateReachSince(db: Context<FedContext>["data"]["db"]): Promise<void> {
  const kv = new PgKvStore(db);
  const since = await kv.get<string>(REACH_WATERMARK);
  const next = await aggregateReach(db, since ? new Date(since) : null);
  if (next) await kv.set(REACH_WATERMARK, next.toISOString());
}
