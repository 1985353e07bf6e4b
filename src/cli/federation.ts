import type { Db } from "../db/client.ts";
import { deliveryHealth } from "../services/delivery/health.ts";

export const FEDERATION_USAGE = `  tern federation hosts
      List remote hosts whose deliveries fail: failures, unreachable since, queued,
      failed and skipped deliveries, circuit breaker state, last error.
`;

/** `tern federation hosts`: one line per failing host, or a line saying all are well. */
export async function runFederationHosts(db: Db): Promise<string> {
  const hosts = await deliveryHealth(db);
  if (hosts.length === 0) return "No failing delivery hosts.";
  const day = (d: Date | null) => (d ? d.toISOString().replace(/\.\d+Z$/, "Z") : "-");
  const rows = hosts.map((h) =>
    [
      h.host,
      h.unreachableSince ? `unreachable since ${day(h.unreachableSince)}` : "failing",
      `failures ${h.failureCount} since ${day(h.firstFailureAt)}`,
      `queued ${h.queued} (failed ${h.failed})`,
      `skipped ${h.skipped}`,
      `circuit ${h.circuit}`,
      h.lastError ? `last error: ${h.lastError.replace(/\s+/g, " ").slice(0, 120)}` : "",
    ]
      .filter(Boolean)
      .join("  "),
  );
  return rows.join("\n");
}
