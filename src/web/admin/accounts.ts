import { Hono } from "hono";
import type { AppDeps } from "../../deps.ts";
import { adminPage } from "./layout.ts";

// Stub: replaced by the admin pages of this area.
export function adminAccountPages(deps: AppDeps): Hono {
  const router = new Hono();
  router.get("/admin/accounts", (c) =>
    adminPage(c, deps, { title: "Accounts", body: "<p>Coming soon.</p>" }),
  );
  return router;
}
