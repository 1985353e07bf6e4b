/**
 * A signed-in person's settings pages; signed-out browsers go to the sign-in page first.
 * Guarded path by path, so other settings pages can mount their own routers next to these.
 */
import { Hono } from "hono";
import type { AppDeps } from "../../deps.ts";
import { requireSession } from "../session.ts";
import { invitePages } from "./invites.ts";
import { securityPages } from "./security.ts";

export function settingsPages(deps: AppDeps): Hono {
  const router = new Hono();
  const signedIn = requireSession(deps);
  for (const path of ["/settings/password", "/settings/sessions", "/settings/invites"]) {
    router.use(path, signedIn);
    router.use(`${path}/*`, signedIn);
  }
  router.use("/settings/tokens/*", signedIn);
  router.route("/", securityPages(deps));
  router.route("/", invitePages(deps));
  return router;
}
