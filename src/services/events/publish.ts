import { type Placeholder, type SQL, sql } from "drizzle-orm";
import type { Tx } from "../../db/client.ts";

/** The channel every web process LISTENs on for live events (streaming/hub.ts). */
export const EVENTS_CHANNEL = "tern_events";

/**
 * What a service tells the streaming layer, as small as NOTIFY allows: ids only, the listener
 * loads and renders the entity itself (and decides, per viewer, who may see it).
 */
export type LiveEvent =
  /** A status was stored: the public, local, remote and hashtag streams decide if it is theirs. */
  | { t: "status"; id: string }
  /** A status joined these local accounts' home feeds: their `user` streams get an `update`. */
  | { t: "home"; id: string; to: string[] }
  /** A status was edited: `status.update` to those holding it and to the public streams. */
  | { t: "status.update"; id: string }
  /** A status is gone: `delete` with its id, to every timeline stream. */
  | { t: "delete"; id: string }
  /** A notification was written for a local account. */
  | { t: "notification"; id: string; to: string }
  /** An account's filters changed: its clients reload them. */
  | { t: "filters_changed"; to: string }
  /** An access token was revoked: the streams it opened are closed. */
  | { t: "token_revoked"; id: string };

/** NOTIFY payloads are capped at 8000 bytes: home events list at most this many readers each. */
const READERS_PER_EVENT = 300;

/**
 * Publishes `event` inside the caller's transaction: PostgreSQL (and PGlite) deliver it only when
 * the transaction commits, so a listener never sees an event whose row it cannot load yet.
 */
export async function publishEvent(
  tx: Tx,
  event: Exclude<LiveEvent, { t: "home" }>,
): Promise<void> {
  await tx.execute(sql`select pg_notify(${EVENTS_CHANNEL}, ${JSON.stringify(event)})`);
}

/**
 * The `home` events of the readers a statement just gave `statusId` (`reached`: a CTE of
 * their `account_id`s), as a query to put in that statement: one NOTIFY (as publishEvent's) per
 * READERS_PER_EVENT readers, without a round trip of its own.
 */
export function homeEvents(reached: SQL, statusId: string | Placeholder): SQL {
  return sql`select pg_notify(${EVENTS_CHANNEL},
      json_build_object('t', 'home', 'id', ${statusId}::text, 'to', json_agg(r.account_id::text))::text)
    from (select account_id, (row_number() over () - 1) / ${READERS_PER_EVENT} as part
          from ${reached}) r
    group by r.part`;
}

/** A notification `id` that was really written (not absorbed as a repeat) is published. */
export async function publishNotification(tx: Tx, id: string, to: string): Promise<void> {
  const payload = JSON.stringify({ t: "notification", id, to } satisfies LiveEvent);
  await tx.execute(sql`select pg_notify(${EVENTS_CHANNEL}, ${payload})
    where exists (select 1 from notifications where id = ${id}::bigint)`);
}
