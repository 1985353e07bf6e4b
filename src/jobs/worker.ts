import type { Federation, Message } from "@fedify/fedify";
import type { Config } from "../config/index.ts";
import type { Db } from "../db/client.ts";
import type { FedContext } from "../federation/context.ts";
import type { PgKvStore } from "../federation/kv-store.ts";
import { logger } from "../lib/logger.ts";
import { sweepClientApi } from "../services/client-api-sweep.ts";
import { TERN_QUEUE, type TernJob } from "../services/jobs.ts";
import { runJob } from "./handlers.ts";
import { LEGACY_FEDIFY_QUEUE, PgQueue, type QueueOptions } from "./queue.ts";

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
  kv: PgKvStore;
  queueOptions?: QueueOptions;
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
  const sweep = setInterval(() => void deps.kv.sweep().catch(() => {}), 10 * 60_000);
  const apiSweep = setInterval(() => void sweepClientApi(deps.db).catch(() => {}), 10 * 60_000);
  log.info("Worker started");
  return {
    async stop() {
      clearInterval(sweep);
      clearInterval(apiSweep);
      controller.abort();
      await Promise.allSettled(running);
      log.info("Worker stopped");
    },
  };
}
