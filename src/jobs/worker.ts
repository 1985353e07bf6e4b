import type { Federation, Message } from "@fedify/fedify";
import type { Config } from "../config/index.ts";
import type { Database, Db } from "../db/client.ts";
import type { FedContext } from "../federation/context.ts";
import type { CachedKvStore } from "../federation/kv-cache.ts";
import { logger } from "../lib/logger.ts";
import { sweepClientApi } from "../services/client-api-sweep.ts";
import { enqueueJob, JOBS_CHANNEL, TERN_QUEUE, type TernJob } from "../services/jobs.ts";
import { sweepUnattachedMedia } from "../services/media/media.ts";
import { pruneRemoteMediaCache } from "../services/media/remote.ts";
import { publishOverdueStatuses } from "../services/scheduled/publish.ts";
import { queueCleanupRuns } from "../services/statuses/cleanup.ts";
import { runJob } from "./handlers.ts";
import { sweepJobParts } from "./job-parts.ts";
import { LEGACY_FEDIFY_QUEUE, PgQueue, type QueueOptions, wakeQueue } from "./queue.ts";

const log = logger("jobs", "worker");

export interface Worker {
  /** Stops claiming work, lets running jobs finish briefly, hands back the rest. */
  stop(): Promise<void>;
}

/** Starts the worker role: Fedify's queues (inbox, outbox, fan-out) and Tern's own jobs. */
export function startWorker(deps: {
  config: Config;
  db: Db;
  federation: Federation<FedContext>;
  kv: CachedKvStore;
  queueOptions?: QueueOptions;
  /** LISTEN for enqueues by other processes; without it only the poll finds their jobs. */
  listen?: Database["listen"];
}): Worker {
  const controller = new AbortController();
  const contextData: FedContext = { db: deps.db, config: deps.config };
  const ternQueue = new PgQueue(deps.db, TERN_QUEUE, { maxAttempts: 8, ...deps.queueOptions });
  const ctx = deps.federation.createContext(new URL(deps.config.publicUrl), contextData);
  // Messages an earlier version left in the single "fedify" queue still run; whatever they
  // enqueue (retries, deliveries of a fan-out) goes to today's queues.
  const legacyQueue = new PgQueue(deps.db, LEGACY_FEDIFY_QUEUE, {
    ...deps.queueOptions,
    concurrency: 2,
    maxAttempts: 1,
  });
  const running = [
    deps.federation.startQueue(contextData, { signal: controller.signal }),
    ternQueue.listen((payload) => runJob(ctx, payload as TernJob), { signal: controller.signal }),
    legacyQueue.listen(
      (message) => deps.federation.processQueuedTask(contextData, message as Message),
      { signal: controller.signal },
    ),
  ];
  const listening = deps.listen ? listenForJobs(deps.listen, controller.signal) : undefined;
  const sweep = setInterval(() => {
    void deps.kv.sweep().catch(() => {});
    void sweepJobParts(deps.db).catch(() => {});
  }, 10 * 60_000);
  const apiSweep = setInterval(() => void sweepClientApi(deps.db).catch(() => {}), 10 * 60_000);
  const mediaSweep = setInterval(() => {
    void sweepUnattachedMedia(deps.db).catch(() => {});
    void pruneRemoteMediaCache(deps.db, deps.config).catch(() => {});
    void queueCleanupRuns(deps.db).catch(() => {});
  }, 3_600_000);
  // Scheduled posts whose publishing job was lost (publishing twice is impossible, so it races safely).
  const scheduledSweep = setInterval(
    () => void publishOverdueStatuses(deps.db, deps.config).catch(() => {}),
    60_000,
  );
  // Reach analytics: delivery outcomes folded into status_reach (every minute by default).
  const analyticsSweep = setInterval(
    () => void enqueueJob(deps.db, { type: "analytics.aggregate" }).catch(() => {}),
    deps.config.analyticsAggregateMs,
  );
  log.info("Worker started");
  return {
    async stop() {
      clearInterval(sweep);
      clearInterval(apiSweep);
      clearInterval(mediaSweep);
      clearInterval(scheduledSweep);
      clearInterval(analyticsSweep);
      controller.abort();
      await Promise.allSettled([...running, listening]);
      log.info("Worker stopped");
    },
  };
}

const RELISTEN_MS = 10_000;

/**
 * Wakes our queues when another process enqueues (it NOTIFYs the queue's name). A LISTEN that
 * fails (database down at start) is retried; meanwhile the poll still finds every job.
 * postgres.js re-listens by itself after a lost connection.
 */
async function listenForJobs(listen: Database["listen"], signal: AbortSignal): Promise<void> {
  while (!signal.aborted) {
    try {
      const unlisten = await listen(JOBS_CHANNEL, (queue) => wakeQueue(queue));
      if (signal.aborted) return await unlisten();
      await new Promise((resolve) => signal.addEventListener("abort", resolve, { once: true }));
      await unlisten().catch(() => {});
      return;
    } catch (error) {
      log.warning("LISTEN {channel} failed, retrying: {error}", {
        channel: JOBS_CHANNEL,
        error: String(error),
      });
      await new Promise((resolve) => {
        const timer = setTimeout(resolve, RELISTEN_MS);
        signal.addEventListener("abort", () => resolve(clearTimeout(timer)), { once: true });
      });
    }
  }
}
