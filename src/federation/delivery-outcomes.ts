import { AsyncLocalStorage } from "node:async_hooks";
import {
  type MessageQueue,
  type MessageQueueEnqueueOptions,
  type MessageQueueListenOptions,
  type OutboxPermanentFailureHandler,
  SendActivityError,
} from "@fedify/fedify";
import type { Db } from "../db/client.ts";
import { fedifyDeliveryHost } from "../jobs/queue.ts";
import { logger } from "../lib/logger.ts";
import { deleteRemoteAccount, findAccountByUri } from "../services/accounts/accounts.ts";
import { createdStatusOf, type DeliveryReachRecorder } from "../services/analytics/deliveries.ts";
import type { DeliveryHealthTracker } from "../services/delivery/tracker.ts";
import type { FedContext } from "./context.ts";

const log = logger("federation", "delivery-health");

/**
 * Fedify 2.3.6 tells of failed deliveries (`onOutboxError`, the permanent failure handler) but
 * not of successful ones. Each outbox message runs inside an AsyncLocalStorage scope that those
 * hooks (and any re-enqueue, which is how Fedify retries or holds a delivery) mark; a message
 * whose run left no mark was delivered.
 */
interface Outcome {
  host: string;
  /** Host-level failure: no answer, a 5xx, a 429. */
  failure?: string;
  /** The host answered as a live server does, even with an error (4xx). */
  reachable?: boolean;
  /** Fedify queued a retry, held the message (open circuit) or dropped it held: no outcome. */
  requeued?: boolean;
}

const current = new AsyncLocalStorage<Outcome>();

/** Which failures say the host itself is down, rather than that it refused this delivery. */
function classify(error: unknown): { failure: string } | { reachable: true } {
  if (error instanceof SendActivityError) {
    const s = error.statusCode;
    if (s >= 500 || s === 429 || s === 408) return { failure: `HTTP ${s}` };
    return { reachable: true };
  }
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  const cause = (error as { cause?: { code?: string } } | null)?.cause?.code;
  return { failure: cause ? `${message} (${cause})` : message };
}

/** Fedify's `onOutboxError`: called inside the message's scope for every failed attempt. */
export function onOutboxError(error: unknown): void {
  const outcome = current.getStore();
  if (!outcome) return;
  const kind = classify(error);
  if ("failure" in kind) outcome.failure = kind.failure;
  else outcome.reachable = true;
}

/**
 * The outbox queue, watched: every message it runs ends in a success or a failure of its host
 * for the tracker. Everything else is the wrapped queue's.
 */
export class WatchedOutbox implements MessageQueue {
  readonly nativeRetrial = false;
  readonly #inner: MessageQueue;
  readonly #tracker: DeliveryHealthTracker;
  readonly #reach: DeliveryReachRecorder | undefined;

  constructor(inner: MessageQueue, tracker: DeliveryHealthTracker, reach?: DeliveryReachRecorder) {
    this.#inner = inner;
    this.#tracker = tracker;
    this.#reach = reach;
  }

  enqueue(message: unknown, options?: MessageQueueEnqueueOptions): Promise<void> {
    const outcome = current.getStore();
    if (outcome) outcome.requeued = true;
    return this.#inner.enqueue(message, options);
  }

  enqueueMany(messages: readonly unknown[], options?: MessageQueueEnqueueOptions) {
    const outcome = current.getStore();
    if (outcome) outcome.requeued = true;
    return this.#inner.enqueueMany?.(messages, options) ?? Promise.resolve();
  }

  getDepth() {
    return this.#inner.getDepth?.() ?? Promise.resolve({ queued: 0, ready: 0, delayed: 0 });
  }

  listen(
    handler: (message: unknown) => Promise<void> | void,
    options?: MessageQueueListenOptions,
  ): Promise<void> {
    return this.#inner.listen(async (message) => {
      const host = fedifyDeliveryHost(message);
      if (!host) return handler(message);
      const outcome: Outcome = { host };
      await current.run(outcome, () => handler(message));
      if (outcome.failure) this.#tracker.failure(host, outcome.failure);
      else if (outcome.reachable || !outcome.requeued)
        await this.#tracker.success(host).catch(() => {});
      // Reach of a status Create: final outcomes only (a retry or a held message stays pending).
      const statusId = this.#reach && !outcome.requeued ? createdStatusOf(message) : null;
      if (statusId) {
        const failed = outcome.failure !== undefined || outcome.reachable === true;
        this.#reach?.record(statusId, host, failed ? "failed" : "delivered");
      }
    }, options);
  }
}

/**
 * Skipped unsent, when claimed: a first attempt (not a retry, not held by the circuit breaker)
 * of a delivery to a host marked unreachable. Retries of older deliveries go on, so the first
 * one that goes through clears the mark.
 */
export async function skipsDelivery(
  tracker: DeliveryHealthTracker,
  message: unknown,
): Promise<boolean> {
  const host = fedifyDeliveryHost(message);
  if (!host) return false;
  const m = message as { attempt?: number; circuitHeld?: boolean };
  if ((m.attempt ?? 0) > 0 || m.circuitHeld) return false;
  if (!(await tracker.isUnreachable(host))) return false;
  await tracker.skipped(host);
  return true;
}

/**
 * 410 Gone from an actor's own inbox: the account is gone, and so are its follows both ways
 * and its posts (as Mastodon does when the actor's origin says it is gone). A 410 from a
 * shared inbox, or for an inbox shared by several actors, says nothing of any one of them.
 */
export async function removeGoneRecipient(
  db: Db,
  inbox: URL,
  statusCode: number,
  actorIds: readonly URL[],
): Promise<boolean> {
  if (statusCode !== 410 || actorIds.length !== 1) return false;
  const account = await findAccountByUri(db, actorIds[0].href);
  if (!account || account.domain === null) return false;
  if (account.inboxUrl !== inbox.href || account.sharedInboxUrl === inbox.href) return false;
  if (new URL(account.uri).origin !== inbox.origin) return false;
  await deleteRemoteAccount(db, account.id);
  log.info("Removed {uri}: its inbox answered 410 Gone", { uri: account.uri });
  return true;
}

export const onPermanentFailure: OutboxPermanentFailureHandler<FedContext> = async (
  ctx,
  values,
) => {
  if (values.reason !== "http") {
    // Dropped after the circuit breaker held it for days: not a success of the host.
    const outcome = current.getStore();
    if (outcome) outcome.requeued = true;
    return;
  }
  await removeGoneRecipient(ctx.data.db, values.inbox, values.statusCode, values.actorIds);
};
