import { Hono } from "hono";
import type { AppDeps } from "../../../deps.ts";
import { pinStatus, unpinStatus } from "../../../services/pins/pins.ts";
import type { ApiEnv } from "../env.ts";
import { statusActionRoutes } from "../status-actions.ts";

/**
 * /api/v1/statuses/:id/pin and /unpin (mounted next to statuses). Mastodon asks `write:accounts`
 * for these: a pin changes the profile. The pins are listed by
 * GET /api/v1/accounts/:id/statuses?pinned=true.
 */
export function statusPinsRouter(deps: AppDeps): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>();
  statusActionRoutes(app, deps, "write:accounts", { pin: pinStatus, unpin: unpinStatus });
  return app;
}
