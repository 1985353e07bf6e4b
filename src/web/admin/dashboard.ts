import { Hono } from "hono";
import type { AppDeps } from "../../deps.ts";
import { adminPage } from "./layout.ts";

// Stub: replaced by the admin pages of this area.
export function adminDashboard(deps: AppDeps): Hono {
  const router = new Hono();
  router.get("/admin", (c) =>
    adminPage(c, deps, { title: "Dashboard", body: "<p>Coming soon.</p>" }),
  );
  return router;
}
