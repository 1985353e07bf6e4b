import { Hono } from "hono";
import type { AppDeps } from "../../../deps.ts";
import { notFound } from "../../../lib/errors.ts";
import { isId } from "../../../lib/ids.ts";
import { statusHistory } from "../../../services/statuses/history.ts";
import { serializeStatusEdits } from "../entities/status-edit.ts";
import type { ApiEnv } from "../env.ts";
import { scopeIfToken } from "../middleware/auth.ts";

/** GET /api/v1/statuses/:id/history: every version of a status, oldest first. */
export function statusHistoryRouter(deps: AppDeps): Hono<ApiEnv> {
  const { db, config } = deps;
  const app = new Hono<ApiEnv>();
  // Public posts' history is public (as on Mastodon); the rest is checked for the viewer.
  app.get("/:id/history", scopeIfToken("read:statuses"), async (c) => {
    const id = c.req.param("id");
    if (!isId(id)) throw notFound();
    const viewer = c.var.auth?.account?.id ?? null;
    const { bundle, versions } = await statusHistory(db, id, viewer);
    return c.json(await serializeStatusEdits(db, bundle, versions, config.publicUrl));
  });
  return app;
}
