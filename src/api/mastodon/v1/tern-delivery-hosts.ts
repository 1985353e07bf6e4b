import { Hono } from "hono";
import type { AppDeps } from "../../../deps.ts";
import { type DeliveryHostHealth, deliveryHealth } from "../../../services/delivery/health.ts";
import type { ApiEnv } from "../env.ts";
import { requireAdminScope } from "../middleware/admin.ts";

const iso = (d: Date | null) => (d ? d.toISOString() : null);

/** A failing or unreachable host as the admin API shows it (snake_case, as Mastodon's). */
function entity(h: DeliveryHostHealth) {
  return {
    host: h.host,
    failure_count: h.failureCount,
    first_failure_at: iso(h.firstFailureAt),
    last_failure_at: iso(h.lastFailureAt),
    last_success_at: iso(h.lastSuccessAt),
    unreachable_since: iso(h.unreachableSince),
    last_error: h.lastError,
    queued_deliveries: h.queued,
    failed_deliveries: h.failed,
    skipped_deliveries: h.skipped,
    circuit: h.circuit,
  };
}

/** GET /api/v1/tern/admin/delivery_hosts: hosts whose deliveries fail, for moderators. */
export function deliveryHostsRouter(deps: AppDeps): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>();
  app.get("/", requireAdminScope(deps, "admin:read"), async (c) => {
    return c.json((await deliveryHealth(deps.db)).map(entity));
  });
  return app;
}
