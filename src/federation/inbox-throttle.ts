import type { Config } from "../config/index.ts";
import type { Db } from "../db/client.ts";
import { deliveryHealthTracker } from "../services/delivery/tracker.ts";
import { coalescedHits, isOver } from "../services/rate-limits.ts";

/** What the inbox guard asks about the host a POST comes from (the signing key's host). */
export interface InboxHostHooks {
  /** Seconds to wait when `host` is over its limit, else null. */
  throttled?(host: string): Promise<number | null>;
  /** A POST from `host` was verified and accepted: the host is up (clears delivery failures). */
  heardFrom?(host: string): Promise<void>;
}

/**
 * Inbox POSTs counted per remote host (INBOX_HOST_RATE_LIMIT, off with RATE_LIMITS=false), so one
 * peer flooding us cannot starve the rest: one upsert per host per turn of the event loop, without
 * waiting for the WAL flush, as the API limit does. Counted on the signing key's host, read from
 * the headers before anything is verified; Fedify then requires the key's owner and the
 * activity's actor to share that origin, so a peer cannot spend another host's allowance except
 * by signing as that host.
 * Allow-listed hosts count too: the allow-list says who may federate, not how much.
 */
export function inboxHostHooks(db: Db, config: Config): InboxHostHooks {
  const limit = config.rateLimits.inboxHost;
  const tracker = deliveryHealthTracker(db, config);
  const hit = coalescedHits(db);
  return {
    throttled: limit
      ? async (host) => {
          const counted = await hit(`inbox:host:${host}`, limit);
          return isOver(counted) ? counted.retryAfter : null;
        }
      : undefined,
    heardFrom: (host) => tracker.success(host),
  };
}
