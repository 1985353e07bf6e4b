import { sql } from "drizzle-orm";
import type { Db } from "../../db/client.ts";
import { logger } from "../../lib/logger.ts";

const log = logger("analytics", "deliveries");

/** The host a remote follower is delivered to: its shared inbox's, else its own inbox's. */
const INBOX_HOST = sql`lower(substring(coalesce(f.shared_inbox_url, f.inbox_url) from '^[a-z]+://([^/]+)'))`;

/**
 * The delivery log of a local status's Create, written when it is fanned out to followers: one
 * `status_deliveries` row per remote host with the author's followers there, all pending. One
 * statement per fan-out (followers grouped by host); a retried fan-out changes nothing.
 */
export async function logStatusDeliveries(db: Db, statusId: string, authorId: string) {
  await db.execute(sql`
    insert into status_deliveries (status_id, host, followers, state, updated_at)
    select ${statusId}::bigint, ${INBOX_HOST}, count(*)::int, 'pending', now()
    from follows x join accounts f on f.id = x.follower_id
    where x.following_id = ${authorId}::bigint and x.state = 'accepted'
      and f.domain is not null and coalesce(f.shared_inbox_url, f.inbox_url) is not null
    group by 2
    on conflict (status_id, host) do nothing`);
}

/** A local Create's activity id is its status uri + `/activity` (see `to-ap/note.ts`). */
const CREATE_ID = /\/users\/[^/]+\/statuses\/(\d+)\/activity$/;

/** The status whose Create an outbox message carries, or null for any other message. */
export function createdStatusOf(message: unknown): string | null {
  const m = message as { activityType?: unknown; activityId?: unknown } | null;
  if (typeof m?.activityType !== "string" || !m.activityType.endsWith("#Create")) return null;
  if (typeof m.activityId !== "string") return null;
  return CREATE_ID.exec(m.activityId)?.[1] ?? null;
}

/** Outcomes within this time become one update. */
const FLUSH_MS = 250;

/**
 * Final delivery outcomes of status Creates, buffered and written to `status_deliveries` as one
 * update per flush (a delivery's outcome costs no statement of its own on the outbox's hot path).
 * A delivery to a host without a logged row (a mentioned non-follower) updates nothing.
 */
export class DeliveryReachRecorder {
  readonly #db: Db;
  #pending = new Map<string, { statusId: string; host: string; state: "delivered" | "failed" }>();
  #timer: ReturnType<typeof setTimeout> | null = null;
  #flushing: Promise<void> = Promise.resolve();

  constructor(db: Db) {
    this.#db = db;
  }

  record(statusId: string, host: string, state: "delivered" | "failed"): void {
    const key = `${statusId} ${host}`;
    // Several inboxes on one host (no shared inbox): one that got through makes the host reached.
    if (this.#pending.get(key)?.state === "delivered") return;
    this.#pending.set(key, { statusId, host, state });
    this.#timer ??= setTimeout(() => void this.flush(), FLUSH_MS);
    this.#timer.unref?.();
  }

  flush(): Promise<void> {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    const batch = [...this.#pending.values()];
    this.#pending.clear();
    if (batch.length === 0) return this.#flushing;
    const values = sql.join(
      batch.map((o) => sql`(${o.statusId}::bigint, ${o.host}::text, ${o.state}::text)`),
      sql`, `,
    );
    this.#flushing = this.#flushing.then(() =>
      this.#db
        .execute(sql`
          update status_deliveries d set state = v.state, updated_at = now()
          from (values ${values}) as v(status_id, host, state)
          where d.status_id = v.status_id and d.host = v.host
            and d.state <> 'delivered' and d.state <> v.state`)
        .then(
          () => {},
          (e) => log.warn("Could not record delivery outcomes: {error}", { error: e }),
        ),
    );
    return this.#flushing;
  }
}

const perDatabase = new WeakMap<Db, DeliveryReachRecorder>();

/** The one recorder of a database in this process. */
export function deliveryReachRecorder(db: Db): DeliveryReachRecorder {
  let recorder = perDatabase.get(db);
  if (!recorder) {
    recorder = new DeliveryReachRecorder(db);
    perDatabase.set(db, recorder);
  }
  return recorder;
}

/** Rows committed this long after their `updated_at` was taken are still folded in. */
const OVERLAP = sql`interval '1 minute'`;

/**
 * Folds the delivery rows changed since `since` into `status_reach`, one set-based statement:
 * the statuses with a changed row are recomputed whole from their rows (so folding a row twice
 * is harmless, and the overlap catches rows that committed late). Returns the new watermark.
 */
export async function aggregateReach(db: Db, since: Date | null): Promise<Date | null> {
  const from = since ? sql`${since.toISOString()}::timestamptz - ${OVERLAP}` : sql`'-infinity'`;
  const rows = await db.execute<{ last: string | Date | null }>(sql`
    with changed as (
      select distinct status_id from status_deliveries where updated_at > ${from}
    ), folded as (
      insert into status_reach (status_id, account_id, servers_reached, followers_reached,
                                deliveries_failed, deliveries_pending, updated_at)
      select d.status_id, s.account_id,
             count(*) filter (where d.state = 'delivered')::int,
             coalesce(sum(d.followers) filter (where d.state = 'delivered'), 0)::int,
             count(*) filter (where d.state = 'failed')::int,
             count(*) filter (where d.state = 'pending')::int,
             max(d.updated_at)
      from status_deliveries d
      join changed c on c.status_id = d.status_id
      join statuses s on s.id = d.status_id
      group by d.status_id, s.account_id
      on conflict (status_id) do update set
        servers_reached = excluded.servers_reached,
        followers_reached = excluded.followers_reached,
        deliveries_failed = excluded.deliveries_failed,
        deliveries_pending = excluded.deliveries_pending,
        updated_at = excluded.updated_at
      returning updated_at
    )
    select max(updated_at) as last from folded`);
  const list = Array.isArray(rows)
    ? rows
    : (rows as { rows: { last: string | Date | null }[] }).rows;
  const last = list[0]?.last;
  if (!last) return since;
  const at = new Date(last);
  return since && since > at ? since : at;
}
