import { Hono } from "hono";
import { z } from "zod";
import type { AppDeps } from "../../../deps.ts";
import { homeTimeline, publicTimeline } from "../../../services/timelines/timelines.ts";
import { readQuery } from "../body.ts";
import { serializeStatuses } from "../entities/status.ts";
import type { ApiEnv } from "../env.ts";
import { currentAccount, requireScope, scopeIfToken } from "../middleware/auth.ts";
import { readPage, setLinkHeader } from "../paging.ts";

const flag = z
  .enum(["true", "false", "1", "0"])
  .optional()
  .transform((v) => v === "true" || v === "1");
const publicQuery = z.object({ local: flag, remote: flag }).passthrough();

/** /api/v1/timelines: home (materialized feed) and public. */
export function timelinesRouter(deps: AppDeps): Hono<ApiEnv> {
  const { db, config } = deps;
  const app = new Hono<ApiEnv>();

  app.get("/home", requireScope("read:statuses"), async (c) => {
    const me = currentAccount(c).id;
    const rows = await homeTimeline(db, me, readPage(c));
    setLinkHeader(
      c,
      rows.map((s) => s.id),
      config.publicUrl,
    );
    return c.json(await serializeStatuses(db, rows, config.publicUrl, me));
  });

  app.get("/public", scopeIfToken("read:statuses"), async (c) => {
    const scope = readQuery(c, publicQuery);
    const viewer = c.var.auth?.account?.id ?? null;
    const rows = await publicTimeline(db, readPage(c), scope, viewer);
    setLinkHeader(
      c,
      rows.map((s) => s.id),
      config.publicUrl,
    );
    return c.json(await serializeStatuses(db, rows, config.publicUrl, c.var.auth?.account?.id));
  });

  return app;
}
