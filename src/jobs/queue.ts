import { hostname } from "node:os";
import type {
  MessageQueue,
  MessageQueueEnqueueOptions,
  MessageQueueListenOptions,
} from "@fedify/fedify";
import { sql } from "drizzle-orm";
import { type Db, queryRows } from "../db/client.ts";
import { idArray } from "../db/json-row.ts";
import { logger } from "../lib/logger.ts";
import { notifyQueue } from "../services/jobs.ts";
import { type ClaimSpec, claimDue } from "./claim.ts";
import { insertJobs } from "./insert.ts";
import { PartReader, splitShared, storeParts } from "./job-parts.ts";

const log = logger("jobs", "queue");

export interface QueueOptions {
  /** How long a claimed job stays reserved without a heartbeat before another worker may take it. */
  leaseMs?: number;
  /** How often an idle worker looks for due jobs (an enqueue, here or by NOTIFY, wakes it at once). */
  pollMs?: number;
  /** Jobs run at once by one listener. */
  concurrency?: number;
  /** Attempts before a failing job is dropped; 1 when the producer retries by itself (Fedify). */
  maxAttempts?: number;
  /** The remote host a message goes to, stored in `jobs.host`; null for local work. */
  hostOf?: (message: unknown) => string | null;
  /** Jobs of one host running at once on this queue, counted over every worker process. */
  hostConcurrency?: number;
  /**
   * A message for a host this server no longer federates with (or skips as unreachable): dropped
   * unrun when claimed.
   */
  refuses?: (message: unknown) => Promise<boolean>;
  /**
   * Object-valued fields that the messages of one enqueue share (the same objects): stored once
   * in `job_parts` instead of in every job (see job-parts.ts).
   */
  sharedFields?: readonly string[];
}

/**
 * Fedify's three kinds of work, each on its own queue with its own worker slots: deliveries to
 * slow or dead servers can then never hold up reading what others send us.
 */
export const FEDIFY_QUEUES = {
  inbox: "fedify-inbox",
  outbox: "fedify-outbox",
  fanout: "fedify-fanout",
} as const;
/** Where Tern up to 0.1 queued all three; workers still drain it (see worker.ts). */
export const LEGACY_FEDIFY_QUEUE = "fedify";

/**
 * The host a Fedify outbox message delivers to (`inbox` is the recipient's inbox URL), with the
 * port: two servers on one machine are two hosts.
 */
export function fedifyDeliveryHost(message: unknown): string | null {
  const inbox = (message as { type?: unknown; inbox?: unknown } | null)?.inbox;
  if ((message as { type?: unknown })?.type !== "outbox" || typeof inbox !== "string") return null;
  return URL.canParse(inbox) ? new URL(inbox).host.toLowerCase() : null;
}

/** Rows of a coalesced enqueue's first INSERT (16, 64, 256, ... after it: see `enqueue`). */
const FIRST_INSERT_ROWS = 16;

interface PendingEnqueue {
  message: unknown;
  options?: MessageQueueEnqueueOptions;
  resolve: () => void;
  reject: (e: unknown) => void;
}

interface ClaimedJob {
  id: string;
  payload: unknown;
  attempts: number;
}

/**
 * Wakes this process's listeners of `queue` so a job starts without waiting for the next poll:
 * called by an enqueue here, and for NOTIFYs from other processes (worker.ts listens).
 */
const wakers = new Map<string, Set<() => void>>();
export function wakeQueue(queue: string): void {
  for (const wake of wakers.get(queue) ?? []) wake();
}

/**
 * A durable job queue in PostgreSQL (or PGlite), implementing Fedify's MessageQueue so that
 * Fedify's inbox, outbox and fan-out work survive restarts and spread over many workers.
 */
export class PgQueue implements MessageQueue {
  readonly nativeRetrial = false;
  readonly #db: Db;
  readonly #name: string;
  readonly #leaseMs: number;
  readonly #pollMs: number;
  readonly #concurrency: number;
  readonly #maxAttempts: number;
  readonly #hostOf: (message: unknown) => string | null;
  readonly #hostConcurrency: number;
  readonly #refuses: ((message: unknown) => Promise<boolean>) | undefined;
  /** Only a capped queue looks past `limit` candidates (to fill slots a capped host leaves). */
  readonly #capsHosts: boolean;
  readonly #hasHosts: boolean;
  readonly #sharedFields: readonly string[];
  readonly #parts: PartReader;
  readonly #workerId = `${hostname()}:${process.pid}:${Math.random().toString(36).slice(2, 8)}`;

  constructor(db: Db, name: string, options: QueueOptions = {}) {
    this.#db = db;
    this.#name = name;
    this.#leaseMs = options.leaseMs ?? 60_000;
    this.#pollMs = options.pollMs ?? 1_000;
    this.#concurrency = options.concurrency ?? 8;
    this.#maxAttempts = options.maxAttempts ?? 1;
    this.#hostOf = options.hostOf ?? (() => null);
    this.#hostConcurrency = options.hostConcurrency ?? this.#concurrency;
    this.#refuses = options.refuses;
    this.#hasHosts = options.hostOf !== undefined;
    this.#capsHosts = this.#hasHosts && this.#hostConcurrency < this.#concurrency;
    this.#sharedFields = options.sharedFields ?? [];
    this.#parts = new PartReader(db);
  }

  get name(): string {
    return this.#name;
  }

  /**
   * Fedify enqueues a fan-out's deliveries one call each when an ordering key is given (1,000
   * calls in one tick for 1,000 inboxes): calls made in the same tick are coalesced into a few
   * multi-row INSERTs, each with its wake-up and NOTIFY. The first INSERT is small
   * (FIRST_INSERT_ROWS) and each next one four times larger, so the first deliveries start while the
   * rest are still being written instead of after one INSERT of them all. Rows keep the calls'
   * order, so ids (and thus per-key order) follow it. A failed INSERT is retried row by row, so
   * one bad message fails only its own caller.
   */
  enqueue(message: unknown, options?: MessageQueueEnqueueOptions): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#pending.push({ message, options, resolve, reject });
      if (this.#pending.length === 1) setImmediate(() => void this.#flushEnqueues());
    });
  }

  #pending: PendingEnqueue[] = [];

  async #flushEnqueues(): Promise<void> {
    const batch = this.#pending;
    this.#pending = [];
    let size = FIRST_INSERT_ROWS;
    for (let start = 0; start < batch.length; start += size, size *= 4) {
      await this.#insertOrEach(batch.slice(start, start + size));
    }
  }

  async #insertOrEach(chunk: PendingEnqueue[]): Promise<void> {
    try {
      await this.#insert(chunk.map((b) => ({ payload: b.message, options: b.options })));
      for (const b of chunk) b.resolve();
    } catch (error) {
      if (chunk.length === 1) return chunk[0].reject(error);
      for (const b of chunk) {
        await this.#insert([{ payload: b.message, options: b.options }]).then(b.resolve, b.reject);
      }
    }
  }

  async enqueueMany(
    messages: readonly unknown[],
    options?: MessageQueueEnqueueOptions,
  ): Promise<void> {
    await this.#insert(messages.map((payload) => ({ payload, options })));
  }

  async #insert(
    messages: readonly { payload: unknown; options?: MessageQueueEnqueueOptions }[],
  ): Promise<void> {
    if (messages.length === 0) return;
    const now = Date.now();
    const delayOf = (o?: MessageQueueEnqueueOptions) =>
      o?.delay ? Math.max(0, o.delay.total("millisecond")) : 0;
    const { split, parts } = splitShared(
      messages.map((m) => m.payload),
      this.#sharedFields,
    );
    await storeParts(this.#db, parts);
    for (const part of parts) this.#parts.remember(part.hash, part.body);
    await insertJobs(
      this.#db,
      this.#name,
      messages.map(({ payload, options }, i) => ({
        payload: split[i].own,
        part: split[i].part,
        runAt: new Date(now + delayOf(options)),
        orderingKey: options?.orderingKey ?? null,
        host: this.#hostOf(payload),
      })),
    );
    if (messages.some((m) => delayOf(m.options) === 0)) {
      wakeQueue(this.#name);
      // Workers in other processes (web -> worker) hear it through LISTEN; a failed NOTIFY only
      // leaves them to their next poll, the job itself is stored.
      await notifyQueue(this.#db, this.#name).catch((e) =>
        log.warning("NOTIFY failed: {error}", { error: String(e) }),
      );
    }
  }

  async getDepth() {
    const [row] = await queryRows<{ queued: number; ready: number; delayed: number }>(
      this.#db,
      sql`
      select count(*)::int as queued,
             count(*) filter (where run_at <= now())::int as ready,
             count(*) filter (where run_at > now())::int as delayed
      from jobs where queue = ${this.#name}`,
    );
    return row;
  }

  /**
   * Claims and runs due jobs until `signal` aborts; then stops claiming, lets running jobs finish
   * for a while, and hands back (unlocks) any still running so another worker can take them.
   */
  async listen(
    handler: (message: unknown) => Promise<void> | void,
    options?: MessageQueueListenOptions,
  ): Promise<void> {
    const signal = options?.signal;
    const running = new Map<string, Promise<void>>();
    // Finished jobs whose rows the next claim deletes (see ClaimSpec.finished).
    const finished: string[] = [];
    // A wake-up while a claim is under way is kept (`woken`), not lost: the loop then claims
    // again at once instead of leaving a freed slot, and a finished job's row, to the next poll.
    let woken = false;
    const remember = () => {
      woken = true;
    };
    let wake: () => void = remember;
    const waker = () => wake();
    const set = wakers.get(this.#name) ?? new Set();
    set.add(waker);
    wakers.set(this.#name, set);
    const heartbeat = setInterval(
      () => void this.#extendLeases([...running.keys()]),
      this.#leaseMs / 3,
    );
    // One listener for the whole loop: added at every wait, they piled up on the signal (one per
    // wake-up, never removed until it fired), each addition slower than the last.
    signal?.addEventListener("abort", waker, { once: true });
    try {
      while (!signal?.aborted) {
        woken = false;
        const free = this.#concurrency - running.size;
        const done = free > 0 ? finished.splice(0) : [];
        const claimed =
          free > 0
            ? await this.#claim(free, done).catch((e) => {
                finished.push(...done); // still to delete: the claim did not happen
                return this.#logClaimError(e);
              })
            : [];
        for (const job of claimed) {
          const p = this.#run(job, handler)
            .then((remove) => void (remove && finished.push(job.id)))
            .finally(() => {
              running.delete(job.id);
              wake();
            });
          running.set(job.id, p);
        }
        if ((claimed.length > 0 && claimed.length === free) || woken) continue;
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, this.#pollMs);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
          if (signal?.aborted) wake();
        });
        wake = remember;
      }
    } finally {
      signal?.removeEventListener("abort", waker);
      set.delete(waker);
      await this.#drain(running);
      clearInterval(heartbeat);
      await this.#delete(finished);
    }
  }

  async #drain(running: Map<string, Promise<void>>): Promise<void> {
    if (running.size === 0) return;
    const graceMs = Math.min(this.#leaseMs, 10_000);
    await Promise.race([
      Promise.allSettled(running.values()),
      new Promise((r) => setTimeout(r, graceMs)),
    ]);
    const unfinished = [...running.keys()];
    if (unfinished.length > 0) {
      log.info("Handing back {count} unfinished jobs", { count: unfinished.length });
      await this.#db.execute(sql`
        update jobs set locked_until = null, locked_by = null, attempts = greatest(attempts - 1, 0)
        where id = any(${idArray(unfinished)}) and locked_by = ${this.#workerId}`);
    }
  }

  /**
   * Leases up to `limit` due jobs (claim.ts) and merges their shared parts back in. On a capped
   * queue, claims take turns (a transaction-scoped advisory lock per queue): two
   * workers claiming at the same instant would otherwise each count the other's new claims as
   * free and fill a host's last slots twice.
   */
  async #claim(limit: number, finished: readonly string[]): Promise<ClaimedJob[]> {
    const spec = this.#claimSpec(limit, finished);
    const rows = !this.#capsHosts
      ? await claimDue(this.#db, spec)
      : await this.#db.transaction(async (tx) => {
          await tx.execute(
            sql`select pg_advisory_xact_lock(hashtext(${`tern.claim:${this.#name}`}))`,
          );
          return claimDue(tx, spec);
        });
    const payloads = await this.#parts.merge(rows);
    return rows.map((r, i) => ({ id: String(r.id), payload: payloads[i], attempts: r.attempts }));
  }

  #claimSpec(limit: number, finished: readonly string[]): ClaimSpec {
    return {
      finished,
      queue: this.#name,
      limit,
      hostConcurrency: this.#hostConcurrency,
      hasHosts: this.#hasHosts,
      capsHosts: this.#capsHosts,
      leaseMs: this.#leaseMs,
      workerId: this.#workerId,
    };
  }

  /**
   * Runs one job; true when its row is to be deleted (done, dropped, or failed for good), false
   * when it was put back for a retry. The row stays leased to this worker until the next claim
   * deletes it, so nobody else can take it meanwhile.
   */
  async #run(
    job: ClaimedJob,
    handler: (message: unknown) => Promise<void> | void,
  ): Promise<boolean> {
    try {
      if (this.#refuses && (await this.#refuses(job.payload))) {
        log.info("Dropped job {id} on {queue}: its host is blocked or unreachable", {
          id: job.id,
          queue: this.#name,
        });
      } else {
        await handler(job.payload);
      }
      return true;
    } catch (error) {
      if (job.attempts >= this.#maxAttempts) {
        log.error("Job {id} on {queue} failed for good after {attempts} attempts: {error}", {
          id: job.id,
          queue: this.#name,
          attempts: job.attempts,
          error,
        });
        return true;
      }
      const backoffMs = Math.min(2 ** job.attempts * 1_000, 3_600_000);
      log.warn(
        "Job {id} on {queue} failed (attempt {attempts}); retrying in {backoffMs} ms: {error}",
        {
          id: job.id,
          queue: this.#name,
          attempts: job.attempts,
          backoffMs,
          error,
        },
      );
      await this.#db
        .execute(sql`
        update jobs set locked_until = null, locked_by = null, last_error = ${String(error)},
                        run_at = now() + ${`${backoffMs} milliseconds`}::interval
        where id = ${job.id}`)
        .catch((e) =>
          log.error("Could not reschedule job {id}: {error}", { id: job.id, error: e }),
        );
      return false;
    }
  }

  /** Deletes finished jobs' rows when no claim will (the listener is stopping). */
  async #delete(ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.#db
      .execute(sql`delete from jobs where id = any(${idArray(ids)})`)
      .catch((error) => log.error("Could not delete finished jobs: {error}", { error }));
  }

  async #extendLeases(ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.#db
      .execute(sql`
        update jobs set locked_until = now() + ${`${this.#leaseMs} milliseconds`}::interval
        where id = any(${idArray(ids)}) and locked_by = ${this.#workerId}`)
      .catch((error) => log.warn("Could not extend job leases: {error}", { error }));
  }

  #logClaimError(error: unknown): ClaimedJob[] {
    log.error("Could not claim jobs from {queue}: {error}", { queue: this.#name, error });
    return [];
  }
}
