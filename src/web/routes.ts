/**
 * Public web pages. Mounted after Fedify: `/users/:username` and its statuses reach these routes
 * only when the client wants HTML (Fedify answers JSON-LD itself), so the same URL is both the
 * actor and its profile page. `/@username` and `/@username/:id` are the human-facing URLs we
 * hand out as `url`; Fedify does not know them, so they always land here.
 */
import { type Context, Hono } from "hono";
import type { AppDeps } from "../deps.ts";
import { AppError } from "../lib/errors.ts";
import { escapeHtml } from "../lib/html.ts";
import { isId } from "../lib/ids.ts";
import { logger } from "../lib/logger.ts";
import { type Account, countLocalAccounts } from "../services/accounts/accounts.ts";
import { accountStats } from "../services/accounts/stats.ts";
import { findPublicLocalAccount } from "../services/accounts/visible.ts";
import { loadBundles } from "../services/statuses/load.ts";
import { getVisibleStatus } from "../services/statuses/local.ts";
import type { StatusBundle } from "../services/statuses/types.ts";
import { accountStatuses } from "../services/timelines/timelines.ts";
import { registerEmbeds } from "./embed.ts";
import { registerFeeds } from "./feeds.ts";
import { errorPage, layout, notFoundPage, openGraph, sendHtml } from "./layout.ts";
import { PROFILE_PAGE_SIZE, renderProfilePage } from "./profile.ts";
import { registerStatic } from "./static.ts";
import { renderStatusPage, type SiteInfo } from "./status-page.ts";
import { registerStudioAnalytics } from "./studio/analytics.ts";
import { studioPages } from "./studio/index.ts";
import { registerTagPage } from "./tag-page.ts";

const log = logger("web");

/** `/@alice` as a route: Hono params cannot follow a literal in the same segment. */
const AT_HANDLE = ":handle{@[A-Za-z0-9_]+}";

const AP_TYPES = new Set(["application/activity+json", "application/ld+json", "application/json"]);

/**
 * Whether the client would rather have JSON-LD than HTML, decided the way Fedify decides for
 * `/users/…` (highest q wins; a browser's text/html first means HTML), so both URL forms agree.
 */
export function prefersActivityJson(accept: string | undefined): boolean {
  if (!accept) return false;
  const ranges = accept
    .split(",")
    .map((part, index) => {
      const [type, ...params] = part.trim().toLowerCase().split(";");
      const q = params.map((p) => p.trim()).find((p) => p.startsWith("q="));
      return { type: type.trim(), q: q ? Number(q.slice(2)) : 1, index };
    })
    .filter((r) => r.type && Number.isFinite(r.q) && r.q > 0)
    .sort((a, b) => b.q - a.q || a.index - b.index);
  if (ranges.length === 0) return false;
  if (ranges[0].type === "text/html" || ranges[0].type === "application/xhtml+xml") return false;
  return ranges.some((r) => AP_TYPES.has(r.type));
}

export function webRoutes(deps: AppDeps): Hono {
  const { db, config } = deps;
  const site: SiteInfo = { publicUrl: config.publicUrl, host: config.host };
  const app = new Hono();
  const notFound = (c: Context) => sendHtml(c, notFoundPage(site.host), 404, { varyAccept: true });

  // Errors on these routes become pages, not the API's JSON: a person is reading.
  app.onError((err, c) => {
    if (err instanceof AppError && err.status === 404) return notFound(c);
    log.error("Web page {method} {path} failed: {error}", {
      method: c.req.method,
      path: c.req.path,
      error: err,
    });
    return sendHtml(c, errorPage(site.host), 500);
  });

  registerStatic(app);
  app.route("/", studioPages(deps));
  // Before the tag page and profile routes: `/tags/x.rss` would otherwise be a tag named so.
  registerFeeds(app, deps, site, notFound);
  registerTagPage(app, deps, site, notFound);
  registerEmbeds(app, deps, site, findPublicStatus, notFound);
  registerStudioAnalytics(app, deps);

  app.get("/", async (c) => {
    const count = await countLocalAccounts(db);
    const host = escapeHtml(site.host);
    const description = `${site.host} is a Tern server, part of the fediverse.`;
    const body = `<section class="card">
<h1>${host}</h1>
<p>${escapeHtml(description)} It is home to <strong>${count.toLocaleString("en")}</strong> ${count === 1 ? "account" : "accounts"}.</p>
<p>To follow someone here, search for their address, such as <code>@username@${host}</code>, in any Mastodon-compatible app or server, and follow them from there.</p>
</section>`;
    const head = openGraph({
      "og:site_name": site.host,
      "og:type": "website",
      "og:title": site.host,
      "og:description": description,
      "og:url": `${site.publicUrl}/`,
    });
    return sendHtml(c, layout({ title: site.host, head, body, host: site.host }), 200);
  });

  const profile = async (c: Context, username: string) => {
    // A sign-up awaiting approval has no profile yet.
    const account = await findPublicLocalAccount(db, username);
    if (!account) return notFound(c);
    if (c.req.path.startsWith("/@") && prefersActivityJson(c.req.header("accept"))) {
      return apRedirect(c, account.uri);
    }
    // Suspended by the moderators: the page is gone while it lasts (its posts 404 too).
    if (account.suspendedAt) return notFound(c);
    const maxParam = c.req.query("max_id");
    const maxId = maxParam && isId(maxParam) ? maxParam : undefined;
    // One more than a page tells whether an older page exists without a count query.
    const rows = await accountStatuses(
      db,
      account.id,
      { limit: PROFILE_PAGE_SIZE + 1, maxId },
      false,
      // The page shows the account's own posts; boosts are for apps (they have no text here).
      { excludeReblogs: true },
    );
    const page = rows.slice(0, PROFILE_PAGE_SIZE);
    const [posts, stats] = await Promise.all([loadBundles(db, page), accountStats(db, [account])]);
    const html = renderProfilePage(
      {
        account,
        stats: stats.get(account.id)!,
        posts,
        olderMaxId: rows.length > PROFILE_PAGE_SIZE ? page.at(-1)?.id : undefined,
        paged: Boolean(maxId),
      },
      site,
    );
    return sendHtml(c, html, 200, { varyAccept: true });
  };

  const status = async (c: Context, username: string, id: string) => {
    const bundle = await findPublicStatus(username, id);
    if (!bundle) return notFound(c);
    if (c.req.path.startsWith("/@") && prefersActivityJson(c.req.header("accept"))) {
      return apRedirect(c, bundle.status.uri);
    }
    return sendHtml(c, renderStatusPage(bundle, site), 200, { varyAccept: true });
  };

  /**
   * A local, public or unlisted post of `username`, or undefined. Hidden, missing and
   * somebody-else's posts look the same from outside (a 404), so ids reveal nothing.
   */
  async function findPublicStatus(username: string, id: string): Promise<StatusBundle | undefined> {
    if (!isId(id)) return undefined;
    const bundle = await getVisibleStatus(db, id, null).catch((err: unknown) => {
      if (err instanceof AppError && err.status === 404) return undefined;
      throw err;
    });
    if (!bundle?.status.local || !isLocalNamed(bundle.account, username)) return undefined;
    // A boost has no page of its own (its id is the Announce's, served to ActivityPub only).
    if (bundle.status.reblogOfId) return undefined;
    return bundle;
  }

  app.get(`/${AT_HANDLE}`, (c) => profile(c, c.req.param("handle").slice(1)));
  app.get("/users/:username", (c) => profile(c, c.req.param("username")));
  app.get(`/${AT_HANDLE}/:id`, (c) => status(c, c.req.param("handle").slice(1), c.req.param("id")));
  app.get("/users/:username/statuses/:id", (c) =>
    status(c, c.req.param("username"), c.req.param("id")),
  );
  return app;
}

const isLocalNamed = (account: Account, username: string) =>
  account.domain === null && account.username.toLowerCase() === username.toLowerCase();

/**
 * Mastodon answers `/@alice` with JSON-LD when asked; we send such clients to the object's id
 * (Fedify serves it there), which ActivityPub fetchers follow and then trust by its id.
 */
function apRedirect(c: Context, uri: string): Response {
  c.header("Vary", "Accept");
  c.header("Cache-Control", "no-cache");
  return c.redirect(uri, 302);
}
