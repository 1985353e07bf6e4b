import { sql } from "drizzle-orm";
import { Hono } from "hono";
import { queryRows } from "../db/client.ts";
import type { AppDeps } from "../deps.ts";

const DB_TIMEOUT_MS = 2_000;

function withTimeout<T>(work: Promise<T>): Promise<T> {
  return Promise.race([
    work,
    new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error("timeout")), DB_TIMEOUT_MS).unref(),
    ),
  ]);
}

interface QueueLag {
  queue: string;
  due: number;
  lag_seconds: number;
}

/**
 * Per queue: the jobs a worker could take right now (due, not running, not waiting behind an
 * older job of their ordering key, their host under its delivery cap) and how long the oldest of
 * them has waited. A job waiting on its own slow host is that host's problem; one waiting for a
 * free slot is a stall.
 */
function queueLags(deps: AppDeps): Promise<QueueLag[]> {
  return queryRows<QueueLag>(
    deps.db,
    sql`
    with busy as (
      select queue, host from jobs
      where host is not null and locked_until is not null and locked_until >= now()
      group by queue, host
      having count(*) >= ${deps.config.deliveryHostConcurrency})
    select j.queue, count(*)::int as due,
           round(extract(epoch from now() - min(j.run_at))::numeric, 1)::float8 as lag_seconds
    from jobs j
    where j.run_at <= now() and (j.locked_until is null or j.locked_until < now())
      and (j.ordering_key is null or not exists (
        select 1 from jobs e where e.queue = j.queue and e.ordering_key = j.ordering_key and e.id < j.id))
      and not exists (select 1 from busy b where b.queue = j.queue and b.host = j.host)
    group by j.queue
    order by j.queue`,
  );
}

/**
 * GET /health: 200 only while the database answers; container healthchecks and proxies use it.
 * GET /health/queue: 503 once a queue's oldest takeable job has waited past
 * QUEUE_LAG_LIMIT_SECONDS, so monitors see frozen federation that /health cannot.
 */
export function healthRoutes(deps: AppDeps): Hono {
  const app = new Hono();
  app.get("/health", async (c) => {
    c.header("Cache-Control", "no-store");
    try {
      await withTimeout(deps.db.execute(sql`select 1`));
      return c.json({ status: "ok" });
    } catch {
      return c.json({ status: "unavailable", error: "The database does not answer" }, 503);
    }
  });
  app.get("/health/queue", async (c) => {
    c.header("Cache-Control", "no-store");
    let lags: QueueLag[];
    try {
      lags = await withTimeout(queueLags(deps));
    } catch {
      return c.json({ status: "unavailable", error: "The database does not answer" }, 503);
    }
    const limitSeconds = deps.config.queueLagLimitMs / 1000;
    const queues = Object.fromEntries(
      lags.map((l) => [l.queue, { due: l.due, lag_seconds: l.lag_seconds }]),
    );
    const stalled = lags.filter((l) => l.lag_seconds > limitSeconds).map((l) => l.queue);
    if (stalled.length > 0) {
      return c.json(
        {
          status: "lagging",
          error: `Jobs have waited over ${limitSeconds} s in: ${stalled.join(", ")}`,
          limit_seconds: limitSeconds,
          queues,
        },
        503,
      );
    }
    return c.json({ status: "ok", limit_seconds: limitSeconds, queues });
  });
  return app;
}
