import { Hono } from "hono";
import { z } from "zod";
import type { AppDeps } from "../../../deps.ts";
import { tagName } from "../../../services/tags/names.ts";
import { tagTimeline } from "../../../services/tags/timeline.ts";
import { readQuery } from "../body.ts";
import { serializeStatuses } from "../entities/status.ts";
import type { ApiEnv } from "../env.ts";
import { scopeIfToken } from "../middleware/auth.ts";
import { readPage, setLinkHeader } from "../paging.ts";

const flag = z
  .string()
  .optional()
  .transform((v) => v !== undefined && !["", "0", "f", "false", "off"].includes(v.toLowerCase()));
const tags = z
  .union([z.string(), z.array(z.string())])
  .optional()
  .transform((v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]))
  .refine((v) => v.length <= 4, "at most 4 tags")
  .transform((v) => v.map(tagName));
const tagQuery = z
  .object({ any: tags, all: tags, none: tags, local: flag, remote: flag, only_media: flag })
  .passthrough();

/** GET /api/v1/timelines/tag/:hashtag: public posts with the tag (see services/tags/timeline). */
export function tagTimelineRouter(deps: AppDeps): Hono<ApiEnv> {
  const { db, config } = deps;
  const app = new Hono<ApiEnv>();
  app.get("/:hashtag", scopeIfToken("read:statuses"), async (c) => {
    const name = tagName(c.req.param("hashtag"));
    const q = readQuery(c, tagQuery);
    const viewer = c.var.auth?.account?.id ?? null;
    const rows = await tagTimeline(
      db,
      name,
      readPage(c),
      {
        any: q.any,
        all: q.all,
        none: q.none,
        local: q.local,
        remote: q.remote,
        onlyMedia: q.only_media,
      },
      viewer,
    );
    setLinkHeader(
      c,
      rows.map((s) => s.id),
      config.publicUrl,
    );
    return c.json(await serializeStatuses(db, rows, config.publicUrl, viewer ?? undefined));
  });
  return app;
}
