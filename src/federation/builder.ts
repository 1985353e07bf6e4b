import {
  createExponentialBackoffPolicy,
  createFederationBuilder,
  type Federation,
  type FederationQueueOptions,
  type KvStore,
} from "@fedify/fedify";
import { Temporal } from "@js-temporal/polyfill";
import type { Config } from "../config/index.ts";
import type { FedContext } from "./context.ts";
import { registerActors } from "./dispatchers/actors.ts";
import { registerCollections } from "./dispatchers/collections.ts";
import { registerNodeInfo } from "./dispatchers/nodeinfo.ts";
import { registerObjects } from "./dispatchers/objects.ts";
import { registerInbox } from "./inbox/index.ts";

export interface FederationOptions {
  config: Config;
  kv: KvStore;
  queue: FederationQueueOptions;
}

/**
 * Failed deliveries back off exponentially (1 min doubling, capped at 12 h) for 16 attempts:
 * about three days before a delivery is given up.
 */
export const outboxRetryPolicy = createExponentialBackoffPolicy({
  maxAttempts: 16,
  initialDelay: Temporal.Duration.from({ minutes: 1 }),
  maxDelay: Temporal.Duration.from({ hours: 12 }),
  factor: 2,
  jitter: true,
});

/** Builds Tern's Fedify federation: every dispatcher and inbox listener, on our queue and KV. */
export async function buildFederation(opts: FederationOptions): Promise<Federation<FedContext>> {
  const builder = createFederationBuilder<FedContext>();
  registerActors(builder);
  registerCollections(builder);
  registerObjects(builder);
  registerNodeInfo(builder);
  registerInbox(builder);
  return builder.build({
    kv: opts.kv,
    queue: opts.queue,
    origin: opts.config.publicUrl,
    // The web role only enqueues; worker roles start the queue explicitly (see jobs/worker.ts).
    manuallyStartQueue: true,
    allowPrivateAddress: opts.config.allowPrivateAddresses,
    userAgent: { software: "Tern/0.1.0", url: new URL(opts.config.publicUrl) },
    // snac answers 202 to an RFC 9421 signature and then drops the activity: knock with
    // draft-cavage first; Fedify still remembers peers that prefer RFC 9421.
    firstKnock: "draft-cavage-http-signatures-12",
    outboxRetryPolicy,
  });
}
