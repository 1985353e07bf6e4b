import { and, eq, gt, inArray, isNotNull, or, sql } from "drizzle-orm";
import { type Db, queryRows, type Tx } from "../../db/client.ts";
import { deliveryHosts, kv, rateLimits } from "../../db/schema/index.ts";
import { hit } from "../rate-limits.ts";

/**
 * Delivery health per remote host, in `delivery_hosts`: failures since the last success, and
 * `unreachable_since` once a host has failed for DELIVERY_UNREACHABLE_DAYS without one success.
 * Writes happen only on the unhealthy path: a failure (batched per host by the tracker), and the
 * first success of a host that had failures. A healthy host never has a row written.
 */

export type DeliveryHost = typeof deliveryHosts.$inferSelect;

/** The Fedify outbox queue's name (jobs.queue), as jobs/queue.ts names it. */
const OUTBOX_QUEUE = "fedify-outbox";
/** Skipped deliveries are counted in `rate_limits` under this key, over a 30-day window. */
const skippedKey = (host: string) => `delivery:skipped:${host}`;
const SKIPPED_WINDOW = { max: Number.MAX_SAFE_INTEGER, windowMs: 30 * 86_400_000 };

/**
 * Adds `count` failures of `host` in one upsert. The host becomes unreachable when its first
 * failure since the last success is older than `unreachableAfterMs`; it stays marked from then.
 * Returns whether the host is now marked.
 */
export async function recordDeliveryFailures(
  db: Db,
  host: string,
  count: number,
  error: string,
  unreachableAfterMs: number,
): Promise<boolean> {
  const [row] = await db
    .insert(deliveryHosts)
    .values({
      host,
      failureCount: count,
      firstFailureAt: sql`now()`,
      lastFailureAt: sql`now()`,
      lastError: error.slice(0, 500),
      updatedAt: sql`now()`,
    })
    .onConflictDoUpdate({
      target: deliveryHosts.host,
      set: {
        failureCount: sql`${deliveryHosts.failureCount} + ${count}`,
        firstFailureAt: sql`coalesce(${deliveryHosts.firstFailureAt}, now())`,
        lastFailureAt: sql`now()`,
        lastError: sql`excluded.last_error`,
        unreachableSince: sql`case
          when ${deliveryHosts.unreachableSince} is not null then ${deliveryHosts.unreachableSince}
          when ${deliveryHosts.firstFailureAt} <= now() - ${unreachableAfterMs} * interval '1 millisecond' then now()
          else null end`,
        updatedAt: sql`now()`,
      },
    })
    .returning({ unreachableSince: deliveryHosts.unreachableSince });
  return row?.unreachableSince != null;
}

/**
 * A delivery to `host` went through (or the host proved it is up): failures and the unreachable
 * mark are cleared. Writes nothing for a host without failures; true when something was cleared.
 */
export async function recordDeliverySuccess(db: Db, host: string): Promise<boolean> {
  const cleared = await db
    .update(deliveryHosts)
    .set({
      failureCount: 0,
      firstFailureAt: null,
      unreachableSince: null,
      lastSuccessAt: sql`now()`,
      updatedAt: sql`now()`,
    })
    .where(
      and(
        eq(deliveryHosts.host, host),
        or(gt(deliveryHosts.failureCount, 0), isNotNull(deliveryHosts.unreachableSince)),
      ),
    )
    .returning({ host: deliveryHosts.host });
  return cleared.length > 0;
}

/** Hosts with failures since their last success, and which of them are marked unreachable. */
export async function failingHosts(db: Tx): Promise<{ host: string; unreachable: boolean }[]> {
  const rows = await db
    .select({ host: deliveryHosts.host, unreachableSince: deliveryHosts.unreachableSince })
    .from(deliveryHosts)
    .where(or(gt(deliveryHosts.failureCount, 0), isNotNull(deliveryHosts.unreachableSince)));
  return rows.map((r) => ({ host: r.host, unreachable: r.unreachableSince !== null }));
}

/** Counts one delivery to an unreachable host that was skipped (one upsert, unhealthy path). */
export async function countSkippedDelivery(db: Db, host: string): Promise<void> {
  await hit(db, [{ key: skippedKey(host), limit: SKIPPED_WINDOW }]);
}

export interface DeliveryHostHealth {
  host: string;
  failureCount: number;
  firstFailureAt: Date | null;
  lastFailureAt: Date | null;
  lastSuccessAt: Date | null;
  unreachableSince: Date | null;
  lastError: string | null;
  /** Deliveries waiting in the outbox queue for this host. */
  queued: number;
  /** Of those, retries of failed attempts and deliveries held by the circuit breaker. */
  failed: number;
  /** New deliveries skipped because the host was unreachable (last 30 days). */
  skipped: number;
  /** Fedify's circuit breaker for the host: closed, open or half-open (closed if unknown). */
  circuit: "closed" | "open" | "half-open";
}

/**
 * What an admin needs about hosts that are failing or marked unreachable: their row, the
 * deliveries queued and failed for them, skipped deliveries and the circuit breaker's state.
 * A fixed number of queries, each bounded by the (short) list of failing hosts.
 */
export async function deliveryHealth(db: Tx): Promise<DeliveryHostHealth[]> {
  const rows = await db
    .select()
    .from(deliveryHosts)
    .where(or(gt(deliveryHosts.failureCount, 0), isNotNull(deliveryHosts.unreachableSince)))
    .orderBy(sql`${deliveryHosts.unreachableSince} asc nulls last`, deliveryHosts.host)
    .limit(1000);
  if (rows.length === 0) return [];
  const hosts = rows.map((r) => r.host);
  const [queue, skipped, circuits] = await Promise.all([
    queryRows<{ host: string; queued: number; failed: number }>(
      db,
      sql`select host, count(*)::int as queued,
            count(*) filter (where coalesce((payload->>'attempt')::int, 0) > 0
                               or payload ? 'circuitHeld')::int as failed
          from jobs where queue = ${OUTBOX_QUEUE} and host in (${sql.join(
            hosts.map((h) => sql`${h}`),
            sql`, `,
          )}) group by host`,
    ),
    db
      .select({ key: rateLimits.key, hits: rateLimits.hits })
      .from(rateLimits)
      .where(
        and(inArray(rateLimits.key, hosts.map(skippedKey)), gt(rateLimits.resetAt, sql`now()`)),
      ),
    // Fedify keeps each host's circuit under ["_fedify", "circuit", host] (PgKvStore: JSON text).
    db
      .select({ key: kv.key, value: kv.value })
      .from(kv)
      .where(
        inArray(
          kv.key,
          hosts.map((h) => JSON.stringify(["_fedify", "circuit", h])),
        ),
      ),
  ]);
  const queueOf = new Map(queue.map((q) => [q.host, q]));
  const skippedOf = new Map(skipped.map((s) => [s.key, s.hits]));
  const circuitOf = new Map(
    circuits.map((c) => [
      (JSON.parse(c.key) as string[])[2],
      (c.value as { state?: string } | null)?.state,
    ]),
  );
  return rows.map((r) => {
    const state = circuitOf.get(r.host);
    return {
      host: r.host,
      failureCount: r.failureCount,
      firstFailureAt: r.firstFailureAt,
      lastFailureAt: r.lastFailureAt,
      lastSuccessAt: r.lastSuccessAt,
      unreachableSince: r.unreachableSince,
      lastError: r.lastError,
      queued: Number(queueOf.get(r.host)?.queued ?? 0),
      failed: Number(queueOf.get(r.host)?.failed ?? 0),
      skipped: skippedOf.get(skippedKey(r.host)) ?? 0,
      circuit: state === "open" || state === "half-open" ? state : "closed",
    };
  });
}
