import { Hono } from "hono";
import type { AppDeps } from "../../../deps.ts";
import {
  bookmarkStatus,
  listBookmarks,
  unbookmarkStatus,
} from "../../../services/bookmarks/bookmarks.ts";
import { serializeStatuses } from "../entities/status.ts";
import type { ApiEnv } from "../env.ts";
import { currentAccount, requireScope } from "../middleware/auth.ts";
import { readPage, setLinkHeader } from "../paging.ts";
import { statusActionRoutes } from "../status-actions.ts";

/** GET /api/v1/bookmarks: the viewer's bookmarks, newest first, paged by when they bookmarked. */
export function bookmarksRouter(deps: AppDeps): Hono<ApiEnv> {
  const { db, config } = deps;
  const app = new Hono<ApiEnv>();
  app.get("/", requireScope("read:bookmarks"), async (c) => {
    const me = currentAccount(c).id;
    const rows = await listBookmarks(db, me, readPage(c));
    setLinkHeader(
      c,
      rows.map((r) => r.bookmarkId),
      config.publicUrl,
    );
    const statuses = rows.map((r) => r.status);
    return c.json(await serializeStatuses(db, statuses, config.publicUrl, me));
  });
  return app;
}

/** /api/v1/statuses/:id/bookmark and /unbookmark (mounted next to statuses). */
export function statusBookmarksRouter(deps: AppDeps): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>();
  statusActionRoutes(app, deps, "write:bookmarks", {
    bookmark: bookmarkStatus,
    unbookmark: unbookmarkStatus,
  });
  return app;
}
