/**
 * `/admin/*`: server-rendered admin pages for moderators and admins (web/session.ts guards
 * them). Each area is its own router file.
 */
import { Hono } from "hono";
import type { AppDeps } from "../../deps.ts";
import { requireStaff } from "../session.ts";
import { adminAccountPages } from "./accounts.ts";
import { adminAuditPages } from "./audit.ts";
import { adminDashboard } from "./dashboard.ts";
import { adminDomainPages } from "./domains.ts";
import { adminReportPages } from "./reports.ts";
import { adminSettingsPages } from "./settings.ts";

export function adminPages(deps: AppDeps): Hono {
  const router = new Hono();
  router.use("/admin", requireStaff(deps));
  router.use("/admin/*", requireStaff(deps));
  router.route("/", adminDashboard(deps));
  router.route("/", adminAccountPages(deps));
  router.route("/", adminReportPages(deps));
  router.route("/", adminDomainPages(deps));
  router.route("/", adminSettingsPages(deps));
  router.route("/", adminAuditPages(deps));
  return router;
}
