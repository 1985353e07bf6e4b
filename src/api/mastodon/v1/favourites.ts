import { Hono } from "hono";
import type { AppDeps } from "../../../deps.ts";
import { notFound } from "../../../lib/errors.ts";
import { isId } from "../../../lib/ids.ts";
import {
  favouriteStatus,
  listFavouritedBy,
  listFavourites,
  unfavouriteStatus,
  visibleStatus,
} from "../../../services/favourites/favourites.ts";
import { loadBundle } from "../../../services/statuses/load.ts";
import { serializeAccounts } from "../entities/account.ts";
import { serializeBundles, serializeStatuses } from "../entities/status.ts";
import type { ApiEnv } from "../env.ts";
import { currentAccount, requireScope, scopeIfToken } from "../middleware/auth.ts";
import { readPage, setLinkHeader } from "../paging.ts";

const statusId = (id: string) => {
  if (!isId(id)) throw notFound();
  return id;
};

/** GET /api/v1/favourites: the viewer's favourites, paged by when they favourited. */
export function favouritesRouter(deps: AppDeps): Hono<ApiEnv> {
  const { db, config } = deps;
  const app = new Hono<ApiEnv>();
  app.get("/", requireScope("read:favourites"), async (c) => {
    const me = currentAccount(c).id;
    const rows = await listFavourites(db, me, readPage(c));
    setLinkHeader(
      c,
      rows.map((r) => r.favouriteId),
      config.publicUrl,
    );
    const statuses = rows.map((r) => r.status);
    return c.json(await serializeStatuses(db, statuses, config.publicUrl, me));
  });
  return app;
}

/** /api/v1/statuses/:id/favourite, /unfavourite and /favourited_by (mounted next to statuses). */
export function statusFavouritesRouter(deps: AppDeps): Hono<ApiEnv> {
  const { db, config } = deps;
  const app = new Hono<ApiEnv>();

  for (const action of ["favourite", "unfavourite"] as const) {
    app.post(`/:id/${action}`, requireScope("write:favourites"), async (c) => {
      const me = currentAccount(c);
      const id = statusId(c.req.param("id"));
      await (action === "favourite" ? favouriteStatus : unfavouriteStatus)(db, me, id);
      // Rendered after the write: the new count and flag, as Mastodon answers.
      const [status] = await serializeBundles(
        db,
        [await loadBundle(db, id)],
        config.publicUrl,
        me.id,
      );
      return c.json(status);
    });
  }

  app.get("/:id/favourited_by", scopeIfToken("read:accounts"), async (c) => {
    const status = await visibleStatus(
      db,
      statusId(c.req.param("id")),
      c.var.auth?.account?.id ?? null,
    );
    const viewer = c.var.auth?.account?.id ?? null;
    const rows = await listFavouritedBy(db, status.id, readPage(c, 80, 40), viewer);
    setLinkHeader(
      c,
      rows.map((r) => r.favouriteId),
      config.publicUrl,
    );
    const accounts = rows.map((r) => r.account);
    return c.json(await serializeAccounts(db, accounts, config.publicUrl));
  });

  return app;
}
