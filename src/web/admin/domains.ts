import { Hono } from "hono";
import type { AppDeps } from "../../deps.ts";
import { adminPage } from "./layout.ts";

// Stub: replaced by the admin pages of this area.
export function adminDomainPages(deps: AppDeps): Hono {
  const router = new Hono();
  router.get("/admin/domains", (c) =>
    adminPage(c, deps, { title: "Domains", body: "<p>Coming soon.</p>" }),
  );
  return router;
}
