import type { Federation } from "@fedify/fedify";
import { createApp } from "./app.ts";
import type { Config } from "./config/index.ts";
import { type Database, openDatabase } from "./db/client.ts";
import { migrate } from "./db/migrate.ts";
import { buildFederation, ternUserAgent } from "./federation/builder.ts";
import type { FedContext } from "./federation/context.ts";
import { skipsDelivery, WatchedOutbox } from "./federation/delivery-outcomes.ts";
import { cachedKvStore } from "./federation/kv-cache.ts";
import { FEDIFY_QUEUES, fedifyDeliveryHost, PgQueue, type QueueOptions } from "./jobs/queue.ts";
import { startWorker, type Worker } from "./jobs/worker.ts";
import { installOutboundFetch } from "./lib/outbound-fetch.ts";
import { deliveryReachRecorder } from "./services/analytics/deliveries.ts";
import { deliveryHealthTracker } from "./services/delivery/tracker.ts";
import { loadVapidKeys } from "./services/push/vapid.ts";
import { federationPolicy } from "./services/safety/server-domains.ts";
import { StreamingHub } from "./streaming/hub.ts";

export interface Tern {
  config: Config;
  database: Database;
  federation: Federation<FedContext>;
  app: ReturnType<typeof createApp>;
  worker: Worker | null;
  /** The streaming API's event hub (null in the worker role, which serves no API). */
  streaming: StreamingHub | null;
  /**
   * Stops what assemble started (streams, worker, the outbound fetch options) and closes the
   * database if assemble opened it; a database passed in stays open for its owner to close.
   */
  close(): Promise<void>;
}

/**
 * Assembles a Tern instance: database (migrated), Fedify on our queue and KV, the Hono app, and
 * the worker when the role asks for it. start.ts adds the HTTP listener; tests use this directly.
 */
export async function assemble(
  config: Config,
  opts: { database?: Database; queueOptions?: QueueOptions } = {},
): Promise<Tern> {
  const database =
    opts.database ??
    (await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir }));
  await migrate(database);
  // Suspended domains (and, in allowlist mode, all but the allowed) get nothing from here.
  const policy = federationPolicy(database.db, config);
  const refusedHost = async (host: string | null) => host !== null && policy.refuses(host);
  // Web Push's key pair is made at first start; apps and the instance show its public half.
  await loadVapidKeys(database.db);
  // Fedify fetches and delivers with the global fetch: give every such request a deadline and,
  // unless private addresses are allowed, the address guard.
  const releaseOutboundFetch = installOutboundFetch({
    timeoutMs: config.outboundTimeoutMs,
    allowPrivateAddresses: config.allowPrivateAddresses,
    userAgent: ternUserAgent(config.publicUrl),
    refuseHost: (host) => policy.refuses(host),
  });
  // Hosts failing for days are skipped; every delivery's outcome is recorded per host.
  const deliveryHealth = deliveryHealthTracker(database.db, config);
  // Fedify's KV with an in-process read cache; other processes' changes of cached keys drop ours.
  const kv = cachedKvStore(database.db);
  await kv.listen(database.listen);
  const queueOptions = { leaseMs: config.jobLeaseMs, ...opts.queueOptions };
  const fedifyQueue = (name: string, extra: QueueOptions = {}) =>
    new PgQueue(database.db, name, { ...queueOptions, ...extra, maxAttempts: 1 });
  const queue = {
    inbox: fedifyQueue(FEDIFY_QUEUES.inbox),
    // Deliveries mostly wait on the network: many slots, so that a handful of hanging hosts
    // (each capped at deliveryHostConcurrency) still leave room for the healthy ones, and a
    // fan-out's claims come in big batches (16 slots cost ~830 statements per 1,000 inboxes,
    // 64 cost ~330, and less CPU).
    outbox: new WatchedOutbox(
      fedifyQueue(FEDIFY_QUEUES.outbox, {
        concurrency: 64,
        hostOf: fedifyDeliveryHost,
        hostConcurrency: config.deliveryHostConcurrency,
        // Every delivery of one fan-out carries the same activity and signing keys.
        sharedFields: ["activity", "keys"],
        refuses: async (message) =>
          (await refusedHost(fedifyDeliveryHost(message))) ||
          (await skipsDelivery(deliveryHealth, message)),
      }),
      deliveryHealth,
      deliveryReachRecorder(database.db),
    ),
    fanout: fedifyQueue(FEDIFY_QUEUES.fanout),
  };
  const federation = await buildFederation({ config, kv, queue });
  const streaming =
    config.role === "worker"
      ? null
      : new StreamingHub({ db: database.db, publicUrl: config.publicUrl, listen: database.listen });
  await streaming?.start();
  const app = createApp({ config, db: database.db, federation, streaming });
  const worker =
    config.role === "web"
      ? null
      : startWorker({
          config,
          db: database.db,
          federation,
          kv,
          queueOptions,
          listen: database.listen,
        });
  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      await streaming?.stop();
      await worker?.stop();
      releaseOutboundFetch();
      if (!opts.database) await database.close();
    })();
    return closing;
  };
  return { config, database, federation, app, worker, streaming, close };
}
