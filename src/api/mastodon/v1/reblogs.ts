import { Hono } from "hono";
import { z } from "zod";
import type { AppDeps } from "../../../deps.ts";
import { notFound } from "../../../lib/errors.ts";
import { isId } from "../../../lib/ids.ts";
import { visibleStatus } from "../../../services/favourites/favourites.ts";
import {
  boostVisibilities,
  listRebloggedBy,
  reblogStatus,
  unreblogStatus,
} from "../../../services/reblogs/reblogs.ts";
import { loadBundle } from "../../../services/statuses/load.ts";
import { readBody } from "../body.ts";
import { serializeAccounts } from "../entities/account.ts";
import { serializeBundles } from "../entities/status.ts";
import type { ApiEnv } from "../env.ts";
import { currentAccount, requireScope, scopeIfToken } from "../middleware/auth.ts";
import { readPage, setLinkHeader } from "../paging.ts";

const statusId = (id: string) => {
  if (!isId(id)) throw notFound();
  return id;
};

// Mastodon takes only `visibility` here; "" (an empty form field) means not said.
const reblogBody = z.object({
  visibility: z
    .union([z.literal(""), z.enum(boostVisibilities)])
    .nullish()
    .transform((v) => v || undefined),
});

/** /api/v1/statuses/:id/reblog, /unreblog and /reblogged_by (mounted next to statuses). */
export function statusReblogsRouter(deps: AppDeps): Hono<ApiEnv> {
  const { db, config } = deps;
  const app = new Hono<ApiEnv>();
  const render = async (id: string, viewerId: string) =>
    (await serializeBundles(db, [await loadBundle(db, id)], config.publicUrl, viewerId))[0];

  // The boost, with the boosted status inside it (reblogged, the new count), as Mastodon answers.
  app.post("/:id/reblog", requireScope("write:statuses"), async (c) => {
    const me = currentAccount(c);
    const id = statusId(c.req.param("id"));
    const { visibility } = await readBody(c, reblogBody);
    const boost = await reblogStatus(db, config, me, id, visibility);
    return c.json(await render(boost.id, me.id));
  });

  // The status that was boosted, no longer reblogged by the viewer.
  app.post("/:id/unreblog", requireScope("write:statuses"), async (c) => {
    const me = currentAccount(c);
    const shown = await unreblogStatus(db, me, statusId(c.req.param("id")));
    return c.json(await render(shown, me.id));
  });

  app.get("/:id/reblogged_by", scopeIfToken("read:accounts"), async (c) => {
    const status = await visibleStatus(
      db,
      statusId(c.req.param("id")),
      c.var.auth?.account?.id ?? null,
    );
    const viewer = c.var.auth?.account?.id ?? null;
    const rows = await listRebloggedBy(db, status.id, readPage(c, 80, 40), viewer);
    setLinkHeader(
      c,
      rows.map((r) => r.boostId),
      config.publicUrl,
    );
    const accounts = rows.map((r) => r.account);
    return c.json(await serializeAccounts(db, accounts, config.publicUrl));
  });

  return app;
}
