import type { Federation } from "@fedify/fedify";
import { Hono } from "hono";
import { cors } from "hono/cors";
import { HTTPException } from "hono/http-exception";
import { compression } from "./api/compression.ts";
import { healthRoutes } from "./api/health.ts";
import { mastodonApi } from "./api/mastodon/router.ts";
import { nulGuard } from "./api/nul-guard.ts";
import { requestLog } from "./api/request-log.ts";
import type { AppDeps } from "./deps.ts";
import { unauthorizedFetch } from "./federation/authorized-fetch.ts";
import type { FedContext } from "./federation/context.ts";
import { inboxGuard } from "./federation/inbox-guard.ts";
import { inboxHostHooks } from "./federation/inbox-throttle.ts";
import { refusingUndecodableKeys } from "./federation/unusable-key.ts";
import { wellKnownRoutes } from "./federation/well-known.ts";
import { lingerBeforeClose } from "./lib/body.ts";
import { AppError } from "./lib/errors.ts";
import { logger } from "./lib/logger.ts";
import { oauthRoutes } from "./oauth/routes.ts";
import { federationPolicy } from "./services/safety/server-domains.ts";
import { sseRoutes } from "./streaming/sse.ts";
import { adminPages } from "./web/admin/index.ts";
import { authPages } from "./web/auth-pages.ts";
import { emailPages } from "./web/email-pages.ts";
import { mediaFileRoutes } from "./web/media.ts";
import { webRoutes } from "./web/routes.ts";
import { settingsPages } from "./web/settings/index.ts";
import { settingsDataPages } from "./web/settings-data.ts";
import { setupPages } from "./web/setup-page.ts";
import { signUpPages } from "./web/sign-up-page.ts";

const log = logger("http");

/** The composition root: mounts every router and Fedify on one Hono app. */
export function createApp(deps: AppDeps): Hono {
  const app = new Hono();
  // First of all: a request id and one log line for every request, whatever answers it.
  app.use("*", requestLog(deps.config));
  // API, web pages and ActivityPub alike: a 40-status timeline page is tens of kilobytes.
  app.use("*", compression());

  app.onError((err, c) => {
    if (err instanceof AppError) {
      if (err.cause)
        log.warn("{status} {path}: {message} ({cause})", {
          status: err.status,
          path: c.req.path,
          message: err.message,
          cause: err.cause,
        });
      return c.json({ error: err.message }, err.status as 400);
    }
    if (err instanceof HTTPException) {
      return c.json({ error: err.message || "Bad request" }, err.status);
    }
    log.error("Unhandled error on {method} {path}: {error}", {
      method: c.req.method,
      path: c.req.path,
      error: err,
    });
    return c.json({ error: "Internal server error" }, 500);
  });
  app.notFound((c) => c.json({ error: "Not found" }, 404));
  // A 413 comes before the body was read to its end: the connection is closed after it, so a
  // keep-alive client opens a new one instead of sending its next request into the cut one.
  app.use("*", async (c, next) => {
    await next();
    if (c.res.status !== 413) return;
    c.res.headers.set("Connection", "close");
    lingerBeforeClose(c.env);
  });

  // Browser clients (Elk, Phanpy) call the API from other origins with bearer tokens, no cookies.
  const apiCors = cors({
    origin: "*",
    allowHeaders: ["Authorization", "Content-Type", "Idempotency-Key", "Accept"],
    allowMethods: ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
    exposeHeaders: [
      "Link",
      "X-RateLimit-Limit",
      "X-RateLimit-Remaining",
      "X-RateLimit-Reset",
      "Retry-After",
      "X-Request-Id",
    ],
    maxAge: 86400,
  });
  app.use("/api/*", apiCors);
  app.use("/oauth/*", apiCors);
  app.use("/api/*", nulGuard());
  app.use("/oauth/*", nulGuard());
  app.use("/.well-known/*", cors({ origin: "*" }));
  app.use("/nodeinfo/*", cors({ origin: "*" }));

  app.route("/", healthRoutes(deps));
  app.route("/", wellKnownRoutes(deps));
  app.route("/api/v1/streaming", sseRoutes(deps.db, deps.streaming ?? null));
  app.route("/api", mastodonApi(deps));
  app.route("/", oauthRoutes(deps));
  app.route("/", authPages(deps));
  app.route("/", setupPages(deps));
  app.route("/", signUpPages(deps));
  app.route("/", emailPages(deps));
  app.route("/", settingsPages(deps));
  app.route("/", adminPages(deps));
  app.route("/", settingsDataPages(deps));
  app.route("/", mediaFileRoutes(deps));
  app.use(
    "*",
    inboxGuard(
      deps.config,
      federationPolicy(deps.db, deps.config),
      inboxHostHooks(deps.db, deps.config),
    ),
  );
  app.use("*", fedifyMiddleware(deps.federation, deps));
  app.route("/", webRoutes(deps));
  return app;
}

/**
 * Hands requests to Fedify first (actors, inboxes, collections, WebFinger, NodeInfo); what Fedify
 * does not serve, or serves only as JSON-LD to a browser asking for HTML, falls through to Hono.
 */
function fedifyMiddleware(federation: Federation<FedContext>, deps: AppDeps) {
  const contextData: FedContext = { db: deps.db, config: deps.config };
  const fetch = refusingUndecodableKeys(federation, deps.db);
  return async (c: import("hono").Context, next: () => Promise<void>) => {
    let fallThrough = false;
    const response = await fetch(c.req.raw, {
      contextData,
      // AUTHORIZED_FETCH: 401 for an unsigned GET, 403 for a refused signer (authorized-fetch.ts).
      onUnauthorized: unauthorizedFetch,
      onNotFound: async () => {
        fallThrough = true;
        await next();
        return c.res;
      },
      onNotAcceptable: async () => {
        fallThrough = true;
        await next();
        return c.res;
      },
    });
    return fallThrough ? c.res : response;
  };
}
