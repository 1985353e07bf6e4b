import { Hono } from "hono";
import type { AppDeps } from "../../../deps.ts";
import { muteThread, unmuteThread } from "../../../services/statuses/thread-mutes.ts";
import type { ApiEnv } from "../env.ts";
import { statusActionRoutes } from "../status-actions.ts";

/** /api/v1/statuses/:id/mute and /unmute: notifications from the whole thread stop or resume. */
export function statusThreadMutesRouter(deps: AppDeps): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>();
  statusActionRoutes(app, deps, "write:mutes", { mute: muteThread, unmute: unmuteThread });
  return app;
}
