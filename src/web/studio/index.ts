/**
 * The studio: composing, scheduling and drafts for the account the session acts as (its own or
 * a team account; `WebSession.acting`), and the accounts and team pages that choose it. Signed-out browsers go to the sign-in page; a role that
 * may not post gets a 403 page, another account's draft or scheduled post a 404 page.
 */
import { Hono } from "hono";
import type { AppDeps } from "../../deps.ts";
import { AppError } from "../../lib/errors.ts";
import { escapeHtml } from "../../lib/html.ts";
import { logger } from "../../lib/logger.ts";
import { errorPage, sendHtml } from "../layout.ts";
import { requireSession } from "../session.ts";
import { accountPages } from "./accounts.ts";
import { composePages } from "./compose.ts";
import { draftPages } from "./drafts.ts";
import { studioPage } from "./layout.ts";
import { scheduledPages } from "./scheduled.ts";
import { teamPages } from "./team.ts";

const log = logger("web", "studio");

export function studioPages(deps: AppDeps): Hono {
  const router = new Hono();
  const signedIn = requireSession(deps);
  for (const path of [
    "/studio",
    "/studio/preview",
    "/studio/settings",
    "/studio/scheduled",
    "/studio/drafts",
    "/studio/accounts",
    "/studio/switch",
  ]) {
    router.use(path, signedIn);
    router.use(`${path}/*`, signedIn);
  }
  // Errors become pages with their status (a 403, a 404, a 413), not the API's JSON.
  router.onError((err, c) => {
    if (err instanceof AppError && err.status < 500 && c.get("webSession")) {
      const title =
        err.status === 404 ? "Not found" : err.status === 403 ? "Not allowed" : "Cannot do that";
      const body = `<div class="card"><p role="alert">${escapeHtml(err.status === 404 && err.message === "Record not found" ? "There is no such draft or post here." : err.message)}</p></div>`;
      return studioPage(c, deps, { title, body }, err.status);
    }
    if (err instanceof AppError && err.status < 500) return c.text(err.message, err.status as 400);
    log.error("Studio page {method} {path} failed: {error}", {
      method: c.req.method,
      path: c.req.path,
      error: err,
    });
    return sendHtml(c, errorPage(deps.config.host), 500);
  });
  router.route("/", composePages(deps));
  router.route("/", scheduledPages(deps));
  router.route("/", draftPages(deps));
  router.route("/", accountPages(deps));
  router.route("/", teamPages(deps));
  return router;
}
