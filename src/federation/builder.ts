import {
  type CircuitBreakerOptions,
  createExponentialBackoffPolicy,
  createFederationBuilder,
  type Federation,
  type FederationQueueOptions,
  type KvStore,
} from "@fedify/fedify";
import { Temporal } from "@js-temporal/polyfill";
import type { Config } from "../config/index.ts";
import { logger } from "../lib/logger.ts";
import type { FedContext } from "./context.ts";
import { onOutboxError, onPermanentFailure } from "./delivery-outcomes.ts";
import { registerActors } from "./dispatchers/actors.ts";
import { registerAuthorizations } from "./dispatchers/authorizations.ts";
import { registerCollections } from "./dispatchers/collections.ts";
import { registerFeaturedTags } from "./dispatchers/featured-tags.ts";
import { registerNodeInfo, TERN_VERSION } from "./dispatchers/nodeinfo.ts";
import { registerObjects } from "./dispatchers/objects.ts";
import { registerReplies } from "./dispatchers/replies.ts";
import { registerInbox } from "./inbox/index.ts";
import { memoizeLoaderFactories } from "./loader-factories.ts";
import { rememberParsedActivities } from "./parsed-activities.ts";

export interface FederationOptions {
  config: Config;
  kv: KvStore;
  queue: FederationQueueOptions;
}

/**
 * Failed deliveries back off exponentially (1 min doubling, capped at 12 h) for 16 attempts:
 * 1 + 2 + ... + 512 min, then six times 12 h, about three and a half days before a delivery is
 * given up (jitter moves each wait a little).
 */
export const outboxRetryPolicy = createExponentialBackoffPolicy({
  maxAttempts: 16,
  initialDelay: Temporal.Duration.from({ minutes: 1 }),
  maxDelay: Temporal.Duration.from({ hours: 12 }),
  factor: 2,
  jitter: true,
});

const circuitLog = logger("federation", "circuit");

/**
 * Fedify's per-host circuit breaker, set on purpose: its default holds every delivery to a host
 * for 30 minutes once five fail, so a one-minute outage cost half an hour. Five failures within
 * ten minutes still open the circuit (no point knocking on a dead server for each activity), but
 * after DELIVERY_CIRCUIT_RECOVERY_SECONDS (default 60 s) one probe goes out, and on success all
 * held deliveries follow. Held activities are kept as long as the retry policy keeps trying
 * (three days), and while a probe is in flight they look again every ten seconds, not every
 * second, so a big backlog does not churn the queue.
 */
export function circuitBreakerOptions(config: Config): CircuitBreakerOptions {
  return {
    failureThreshold: 5,
    failureWindow: { minutes: 10 },
    recoveryDelay: { milliseconds: config.circuitRecoveryMs },
    heldActivityTtl: { hours: 72 },
    releaseInterval: { seconds: 10 },
    onStateChange(host, from, to) {
      const level = to === "open" ? "warn" : "info";
      circuitLog[level]("Deliveries to {host}: circuit {from} -> {to}", { host, from, to });
    },
    onActivityDrop(host, drop) {
      circuitLog.warn("Dropped {type} to {inbox}: {host} stayed unreachable since {since}", {
        host,
        type: drop.activityType,
        inbox: drop.inbox.href,
        since: drop.heldSince.toString(),
      });
    },
  };
}

/**
 * What every request Tern makes says it is, as servers expect (Mastodon sends
 * `http.rb/… (Mastodon/4.5.0; +https://host/)`): software and version, and where to find us.
 */
export function ternUserAgent(publicUrl: string): string {
  return `Tern/${TERN_VERSION} (+${publicUrl})`;
}

/** Builds Tern's Fedify federation: every dispatcher and inbox listener, on our queues and KV. */
export async function buildFederation(opts: FederationOptions): Promise<Federation<FedContext>> {
  const builder = createFederationBuilder<FedContext>();
  registerActors(builder);
  registerCollections(builder);
  registerFeaturedTags(builder);
  registerObjects(builder);
  registerReplies(builder);
  registerAuthorizations(builder);
  registerNodeInfo(builder);
  registerInbox(builder);
  // 410 Gone from an actor's inbox removes the account (delivery-outcomes.ts).
  builder.setOutboxPermanentFailureHandler(onPermanentFailure);
  const federation = await builder.build({
    kv: opts.kv,
    queue: opts.queue,
    origin: opts.config.publicUrl,
    // The web role only enqueues; worker roles start the queue explicitly (see jobs/worker.ts).
    manuallyStartQueue: true,
    allowPrivateAddress: opts.config.allowPrivateAddresses,
    userAgent: ternUserAgent(opts.config.publicUrl),
    // snac answers 202 to an RFC 9421 signature and then drops the activity: knock with
    // draft-cavage first; Fedify still remembers peers that prefer RFC 9421.
    firstKnock: "draft-cavage-http-signatures-12",
    outboxRetryPolicy,
    circuitBreaker: circuitBreakerOptions(opts.config),
    // Each failed attempt marks its delivery for the per-host health record (delivery-outcomes.ts).
    onOutboxError,
  });
  // One document loader per options instead of two new ones per context (loader-factories.ts).
  memoizeLoaderFactories(federation);
  // An inbox POST is parsed once, not twice (parsed-activities.ts).
  rememberParsedActivities();
  return federation;
}
