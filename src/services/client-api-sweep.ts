import type { Tx } from "../db/client.ts";
import { sweepUnusedApps } from "./oauth/apps.ts";
import { sweepRateLimits } from "./rate-limits.ts";

/** The client API's leftovers, swept by the worker: rate-limit windows that are over, unused apps. */
export async function sweepClientApi(db: Tx): Promise<void> {
  await sweepRateLimits(db);
  await sweepUnusedApps(db);
}
