import { eq } from "drizzle-orm";
import { Hono } from "hono";
import { createMiddleware } from "hono/factory";
import { localUsers } from "../../../db/schema/index.ts";
import type { AppDeps } from "../../../deps.ts";
import { forbidden, unauthorized } from "../../../lib/errors.ts";
import { type DeliveryHostHealth, deliveryHealth } from "../../../services/delivery/health.ts";
import type { ApiEnv } from "../env.ts";

/**
 * TODO(lead): switch to the shared `requireAdminScope("admin:read")` of
 * middleware/admin.ts once it lands. Until then, a minimal local check: a token carrying
 * `admin:read` (or `admin`) whose user is a moderator or an admin (local_users.role).
 */
function requireAdminRead(deps: AppDeps) {
  return createMiddleware<ApiEnv>(async (c, next) => {
    const auth = c.get("auth");
    if (!auth) throw unauthorized();
    if (!auth.scopes.some((s) => s === "admin:read" || s === "admin")) throw forbidden();
    if (!auth.account) throw forbidden();
    const [user] = await deps.db
      .select({ role: localUsers.role })
      .from(localUsers)
      .where(eq(localUsers.accountId, auth.account.id));
    if (user?.role !== "admin" && user?.role !== "moderator") throw forbidden();
    return next();
  });
}

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
  app.get("/", requireAdminRead(deps), async (c) => {
    return c.json((await deliveryHealth(deps.db)).map(entity));
  });
  return app;
}
