import { Hono } from "hono";
import { z } from "zod";
import type { AppDeps } from "../../../deps.ts";
import { listTimeline } from "../../../services/lists/feed.ts";
import { getList } from "../../../services/lists/lists.ts";
import { homeTimeline, publicTimeline } from "../../../services/timelines/timelines.ts";
import { readQuery } from "../body.ts";
import { serializeBundles } from "../entities/status.ts";
import type { ApiEnv } from "../env.ts";
import { ViewerFilters } from "../filtering.ts";
import { currentAccount, requireScope, scopeIfToken } from "../middleware/auth.ts";
import { readPage, setLinkHeader } from "../paging.ts";
import { idParam } from "./lists.ts";

const flag = z
  .enum(["true", "false", "1", "0"])
  .optional()
  .transform((v) => v === "true" || v === "1");
const publicQuery = z.object({ local: flag, remote: flag, only_media: flag }).passthrough();
const linkQuery = z.object({ url: z.string().url() }).passthrough();

/** /api/v1/timelines: home (materialized feed) and public. */
export function timelinesRouter(deps: AppDeps): Hono<ApiEnv> {
  const { db, config } = deps;
  const app = new Hono<ApiEnv>();

  app.get("/home", requireScope("read:statuses"), async (c) => {
    const me = currentAccount(c).id;
    // The viewer's filters come beside the page, not after it: one round trip less per page.
    const [bundles, filters] = await Promise.all([
      homeTimeline(db, me, readPage(c)),
      ViewerFilters.load(db, me, "home"),
    ]);
    setLinkHeader(
      c,
      bundles.map((b) => b.status.id),
      config.publicUrl,
    );
    return c.json(filters.apply(await serializeBundles(db, bundles, config.publicUrl, me)));
  });

  app.get("/public", scopeIfToken("read:statuses"), async (c) => {
    const scope = readQuery(c, publicQuery);
    const viewer = c.var.auth?.account?.id ?? null;
    const [bundles, filters] = await Promise.all([
      publicTimeline(
        db,
        readPage(c),
        { local: scope.local, remote: scope.remote, onlyMedia: scope.only_media },
        viewer,
      ),
      ViewerFilters.load(db, viewer, "public"),
    ]);
    setLinkHeader(
      c,
      bundles.map((b) => b.status.id),
      config.publicUrl,
    );
    const page = await serializeBundles(db, bundles, config.publicUrl, viewer ?? undefined);
    return c.json(filters.apply(page));
  });

  // A list's materialized timeline (Mastodon filters it in the home context).
  app.get("/list/:id", requireScope("read:lists"), async (c) => {
    const me = currentAccount(c).id;
    const [list, filters] = await Promise.all([
      getList(db, me, idParam(c.req.param("id"))),
      ViewerFilters.load(db, me, "home"),
    ]);
    const bundles = await listTimeline(db, me, list.id, readPage(c));
    setLinkHeader(
      c,
      bundles.map((b) => b.status.id),
      config.publicUrl,
    );
    return c.json(filters.apply(await serializeBundles(db, bundles, config.publicUrl, me)));
  });

  // Posts linking to a URL (trending links): Tern keeps no link cards yet, so none.
  app.get("/link", scopeIfToken("read:statuses"), (c) => {
    readQuery(c, linkQuery);
    return c.json([]);
  });

  return app;
}
