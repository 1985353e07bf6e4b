import { Hono } from "hono";
import { z } from "zod";
import type { AppDeps } from "../../../deps.ts";
import { visibleStatusesByIds } from "../../../services/statuses/by-ids.ts";
import { readQuery } from "../body.ts";
import { serializeStatuses } from "../entities/status.ts";
import type { ApiEnv } from "../env.ts";
import { scopeIfToken } from "../middleware/auth.ts";

const idsQuery = z.object({ id: z.union([z.string(), z.array(z.string())]).optional() });

/**
 * GET /api/v1/statuses?id[]=1&id[]=2 (Mastodon 4.3+): several statuses at once, those the reader
 * may see, in the order asked (the rules are in services/statuses/by-ids.ts).
 */
export function statusesByIdRouter(deps: AppDeps): Hono<ApiEnv> {
  const { db, config } = deps;
  const app = new Hono<ApiEnv>();
  app.get("/", scopeIfToken("read:statuses"), async (c) => {
    const { id } = readQuery(c, idsQuery.passthrough());
    const ids = Array.isArray(id) ? id : id ? [id] : [];
    const viewer = c.var.auth?.account?.id ?? null;
    const rows = await visibleStatusesByIds(db, ids, viewer);
    return c.json(await serializeStatuses(db, rows, config.publicUrl, viewer));
  });
  return app;
}
