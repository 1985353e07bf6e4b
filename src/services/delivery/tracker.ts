import type { Db } from "../../db/client.ts";
import { logger } from "../../lib/logger.ts";
import {
  countSkippedDelivery,
  failingHosts,
  recordDeliveryFailures,
  recordDeliverySuccess,
} from "./health.ts";

const log = logger("federation", "delivery-health");

/** How long a process trusts its copy of the failing hosts (other workers write too). */
const REFRESH_MS = 10_000;
/** Failures of one host within this time become one upsert. */
const FLUSH_MS = 250;

/**
 * This process's view of delivery health, so the healthy path costs nothing: which hosts have
 * failures (refreshed from `delivery_hosts` at most every 10 s) and which are unreachable.
 * Failures are buffered per host and written as one upsert per host per flush; a success only
 * writes when the host is known to have failures; skipping asks a set in memory.
 */
export class DeliveryHealthTracker {
  readonly #db: Db;
  readonly #unreachableAfterMs: number;
  #failing = new Set<string>();
  #unreachable = new Set<string>();
  #loadedAt = 0;
  #loading: Promise<void> | null = null;
  #pending = new Map<string, { count: number; error: string }>();
  #timer: ReturnType<typeof setTimeout> | null = null;
  #flushing: Promise<void> = Promise.resolve();

  constructor(db: Db, unreachableAfterMs: number) {
    this.#db = db;
    this.#unreachableAfterMs = unreachableAfterMs;
  }

  async #fresh(): Promise<void> {
    if (Date.now() - this.#loadedAt < REFRESH_MS) return;
    this.#loading ??= failingHosts(this.#db)
      .then((rows) => {
        this.#failing = new Set(rows.map((r) => r.host));
        this.#unreachable = new Set(rows.filter((r) => r.unreachable).map((r) => r.host));
        this.#loadedAt = Date.now();
      })
      .finally(() => {
        this.#loading = null;
      });
    await this.#loading;
  }

  /** True when `host` is marked unreachable: new deliveries to it are skipped. */
  async isUnreachable(host: string): Promise<boolean> {
    await this.#fresh().catch(() => {});
    return this.#unreachable.has(host);
  }

  /** A new delivery to an unreachable host was dropped unsent: logged and counted. */
  async skipped(host: string): Promise<void> {
    log.info("Skipped a delivery to {host}: unreachable", { host });
    await countSkippedDelivery(this.#db, host).catch(() => {});
  }

  /** A delivery failed in a way that says the host is down (no answer, 5xx, 429). */
  failure(host: string, error: string): void {
    const entry = this.#pending.get(host) ?? { count: 0, error };
    entry.count++;
    entry.error = error;
    this.#pending.set(host, entry);
    this.#failing.add(host);
    this.#timer ??= setTimeout(() => void this.flush(), FLUSH_MS);
    this.#timer.unref?.();
  }

  /** Writes buffered failures: one upsert per host. */
  flush(): Promise<void> {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    const batch = [...this.#pending];
    this.#pending.clear();
    this.#flushing = this.#flushing.then(async () => {
      for (const [host, { count, error }] of batch) {
        try {
          const marked = await recordDeliveryFailures(
            this.#db,
            host,
            count,
            error,
            this.#unreachableAfterMs,
          );
          if (marked && !this.#unreachable.has(host)) {
            this.#unreachable.add(host);
            log.warn("Marked {host} unreachable: deliveries have failed for days", { host });
          }
        } catch (e) {
          log.warn("Could not record delivery failures of {host}: {error}", { host, error: e });
        }
      }
    });
    return this.#flushing;
  }

  /**
   * A delivery went through, or the host answered in a way only a live server does (a 4xx, a
   * verified activity from it): clears its failures. Free for a host without failures.
   */
  async success(host: string): Promise<void> {
    await this.#fresh().catch(() => {});
    if (!this.#failing.has(host) && !this.#pending.has(host)) return;
    await this.flush();
    this.#failing.delete(host);
    const wasUnreachable = this.#unreachable.delete(host);
    const cleared = await recordDeliverySuccess(this.#db, host).catch(() => false);
    if (cleared && wasUnreachable) log.info("{host} is reachable again", { host });
  }
}

const perDatabase = new WeakMap<Db, DeliveryHealthTracker>();

/** The one tracker of a database in this process (the queue, Fedify's hooks and the inbox share it). */
export function deliveryHealthTracker(
  db: Db,
  config: { deliveryUnreachableMs: number },
): DeliveryHealthTracker {
  let tracker = perDatabase.get(db);
  if (!tracker) {
    tracker = new DeliveryHealthTracker(db, config.deliveryUnreachableMs);
    perDatabase.set(db, tracker);
  }
  return tracker;
}
