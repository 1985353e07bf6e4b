import { Hono } from "hono";
import type { AppDeps } from "../../deps.ts";
import type { ApiEnv } from "./env.ts";
import { authenticate } from "./middleware/auth.ts";
import { rateLimit } from "./middleware/rate-limit.ts";
import { accountsRouter } from "./v1/accounts.ts";
import { appsRouter } from "./v1/apps.ts";
import { bookmarksRouter, statusBookmarksRouter } from "./v1/bookmarks.ts";
import { credentialsRouter } from "./v1/credentials.ts";
import { favouritesRouter, statusFavouritesRouter } from "./v1/favourites.ts";
import { followRequestsRouter } from "./v1/follow-requests.ts";
import { instanceV1Router, instanceV2Router } from "./v1/instance.ts";
import { markersRouter } from "./v1/markers.ts";
import { mediaRouter } from "./v1/media.ts";
import { notificationsRouter } from "./v1/notifications.ts";
import { statusPinsRouter } from "./v1/pins.ts";
import { pushRouter } from "./v1/push.ts";
import { statusQuotesRouter } from "./v1/quotes.ts";
import { statusReblogsRouter } from "./v1/reblogs.ts";
import { statusHistoryRouter } from "./v1/status-history.ts";
import { statusesRouter } from "./v1/statuses.ts";
import { statusesByIdRouter } from "./v1/statuses-by-id.ts";
import { timelinesRouter } from "./v1/timelines.ts";
import { groupedNotificationsRouter } from "./v2/notifications.ts";

/** Everything under /api: Mastodon's client API, one router per resource. */
export function mastodonApi(deps: AppDeps): Hono<ApiEnv> {
  const api = new Hono<ApiEnv>();
  api.use("*", authenticate(deps));
  api.use("*", rateLimit(deps));
  api.route("/v1/apps", appsRouter(deps));
  // Before accountsRouter: its /:id would otherwise take /verify_credentials-like paths.
  const credentials = credentialsRouter(deps);
  api.route("/v1/accounts", credentials.accounts);
  api.route("/v1/profile", credentials.profile);
  api.route("/v1/accounts", accountsRouter(deps));
  api.route("/v1/statuses", statusesRouter(deps));
  api.route("/v1/statuses", statusFavouritesRouter(deps));
  api.route("/v1/statuses", statusHistoryRouter(deps));
  api.route("/v1/statuses", statusQuotesRouter(deps));
  api.route("/v1/statuses", statusReblogsRouter(deps));
  api.route("/v1/favourites", favouritesRouter(deps));
  api.route("/v1/statuses", statusesByIdRouter(deps));
  api.route("/v1/statuses", statusBookmarksRouter(deps));
  api.route("/v1/statuses", statusPinsRouter(deps));
  api.route("/v1/bookmarks", bookmarksRouter(deps));
  api.route("/v1/notifications", notificationsRouter(deps));
  api.route("/v2/notifications", groupedNotificationsRouter(deps));
  api.route("/v1/markers", markersRouter(deps));
  api.route("/v1/timelines", timelinesRouter(deps));
  api.route("/v1/follow_requests", followRequestsRouter(deps));
  api.route("/v1/instance", instanceV1Router(deps));
  api.route("/v2/instance", instanceV2Router(deps));
  api.route("/v1/media", mediaRouter(deps, 1));
  api.route("/v1/push/subscription", pushRouter(deps));
  api.route("/v2/media", mediaRouter(deps, 2));
  return api;
}
