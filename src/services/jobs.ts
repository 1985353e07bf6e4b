import { sql } from "drizzle-orm";
import type { Tx } from "../db/client.ts";
import { jobs } from "../db/schema/index.ts";
import type { Visibility } from "../db/schema/statuses.ts";

/** The queue Tern's own jobs go to (Fedify's work has its own). */
export const TERN_QUEUE = "tern";

/**
 * Side effects that must happen after a write commits: fan-out to home timelines and delivery to
 * other servers. Written in the same transaction as the change, so neither is ever lost.
 */
export type TernJob =
  | { type: "status.created"; statusId: string }
  | { type: "status.updated"; statusId: string }
  | {
      type: "status.deleted";
      statusId: string;
      uri: string;
      accountId: string;
      visibility: Visibility;
      mentionedAccountIds: string[];
      /** The author of the post it answered: they had the reply, so they get its Delete. */
      inReplyToAccountId?: string | null;
      /** Those who boosted it: their servers drop the boosts on the post's Delete. */
      rebloggerAccountIds?: string[];
    }
  | { type: "follow.requested"; followId: string }
  /** A stored remote reply's unknown parent; `budget` ancestors may still be fetched. */
  | { type: "status.fetch_parent"; uri: string; budget: number }
  | { type: "follow.undone"; followerId: string; followingId: string; followUri: string }
  | { type: "follow.accepted"; followId: string }
  | { type: "follow.rejected"; followerId: string; followingId: string; followUri: string }
  | { type: "favourite.created"; favouriteId: string }
  | { type: "favourite.undone"; accountId: string; statusId: string; likeUri: string }
  /** A local account pinned a status: `Add` to its followers (if still pinned when it runs). */
  | { type: "pin.added"; accountId: string; statusId: string }
  /** A local account unpinned a status: `Remove` to its followers. */
  | { type: "pin.removed"; accountId: string; statusUri: string }
  /** A remote account was stored or refreshed: read its featured collection into its pins. */
  | { type: "account.fetch_featured"; accountId: string }
  /** A local post quotes a remote one: its QuoteRequest goes to the quoted author. */
  | { type: "quote.requested"; quoteId: string }
  /** Our answer to a remote QuoteRequest, LikeRequest, ReplyRequest or AnnounceRequest. */
  | { type: "interaction.answered"; requestId: string }
  /** A local author revoked an accepted quote: Delete of its QuoteAuthorization. */
  | { type: "quote.revoked"; requestId: string }
  /** A remote post quotes another remote post: its QuoteAuthorization is fetched and checked. */
  | { type: "quote.verify"; quoteId: string }
  /** A local boost (a status with reblog_of_id): home fan-out, then its Announce. */
  | { type: "reblog.created"; statusId: string }
  /** A local boost taken back: Undo(Announce) to where the Announce went. */
  | {
      type: "reblog.undone";
      accountId: string;
      /** The boosted status. */
      statusId: string;
      /** The Announce's id (the boost's uri). */
      uri: string;
      visibility: Visibility;
    }
  /** A remote Announce of a post we do not have: fetched, then stored as a boost. */
  | {
      type: "reblog.fetch_original";
      announceUri: string;
      boosterId: string;
      objectUri: string;
      visibility: Visibility;
      publishedAt: string;
    }
  /** An upload too large to process during the request. */
  | { type: "media.process"; mediaId: string }
  /** Files of deleted media (a deleted post, an unattached upload, a replaced avatar). */
  | { type: "media.delete_files"; keys: string[] }
  /** A local profile changed: Update(Person) to its followers. */
  | { type: "account.updated"; accountId: string }
  /** A poll's end (queued to run at `expires_at`): closed, voters and author notified. */
  | { type: "poll.close"; pollId: string }
  /** A local poll's counts changed or it closed: Update(Question) to followers and voters. */
  | { type: "poll.updated"; pollId: string }
  /** A local account voted in a remote poll: its vote Notes go to the poll's author. */
  | { type: "poll.voted"; pollId: string; accountId: string }
  /** A local account blocked a remote one: `Block` to it (if still blocked when it runs). */
  | { type: "block.created"; blockId: string }
  /** A local account took back its block of a remote one: `Undo(Block)` to it. */
  | { type: "block.undone"; accountId: string; targetAccountId: string; uri: string }
  /** The server suspended a domain: its accounts go, with their posts and follows. */
  | { type: "domain.purge"; domain: string }
  /** A server block with reject_media: the domain's copied media and pictures given back. */
  | { type: "domain.clear_media"; domain: string }
  /** A notification for an account with Web Push subscriptions: one push.deliver per wanted one. */
  | { type: "push.notification"; notificationId: string }
  /** One Web Push message to one subscription (retried on its own). */
  | { type: "push.deliver"; subscriptionId: string; notificationId: string }
  /** A remote attachment to copy here (preview and blurhash made here); a link if it fails. */
  | { type: "media.cache_remote"; mediaId: string }
  /** A remote account's avatar and header to copy here. */
  | { type: "account.cache_images"; accountId: string }
  /** A local account's linked profile fields to check for rel="me" links back. */
  | { type: "account.verify_links"; accountId: string }
  /** A report with `forward`: `Flag` from the instance actor to the target's server. */
  | { type: "report.forward"; reportId: string }
  /** A scheduled post's time (queued to run at `scheduled_at`): published unless moved or gone. */
  | { type: "status.publish_scheduled"; scheduledStatusId: string }
  /** A CSV import's next batch of rows (it queues itself again until all are done). */
  | { type: "import.run"; importId: string }
  /** One run of a local account's automatic post deletion (services/statuses/cleanup.ts). */
  | { type: "status.cleanup"; accountId: string }
  /** One e-mail (services/mail): sent by SMTP after commit, retried while the server is down. */
  | { type: "mail.send"; to: string; subject: string; text: string }
  /** Reach analytics: fold changed delivery rows into status_reach (queued every minute). */
  | { type: "analytics.aggregate" };

/** Where enqueuers NOTIFY the name of a queue with new due work; workers LISTEN on it. */
export const JOBS_CHANNEL = "tern_jobs";

/**
 * Wakes the workers of `queue` in every process (delivered when the transaction commits, so
 * never before the job is visible); without it they would wait for their next poll.
 */
export async function notifyQueue(tx: Tx, queue: string): Promise<void> {
  await tx.execute(sql`select pg_notify(${JOBS_CHANNEL}, ${queue})`);
}

export async function enqueueJob(tx: Tx, job: TernJob): Promise<void> {
  await tx.insert(jobs).values({ queue: TERN_QUEUE, payload: job });
  await notifyQueue(tx, TERN_QUEUE);
}

/** A job that must not run before `runAt` (a poll's end); workers find it on their next poll. */
export async function enqueueJobAt(tx: Tx, job: TernJob, runAt: Date): Promise<void> {
  await tx.insert(jobs).values({ queue: TERN_QUEUE, payload: job, runAt });
}
