import { Hono } from "hono";
import { z } from "zod";
import type { AppDeps } from "../../../deps.ts";
import { isId } from "../../../lib/ids.ts";
import { getMarkers, type Marker, saveMarkers } from "../../../services/markers/markers.ts";
import { readBody, readQuery } from "../body.ts";
import type { ApiEnv } from "../env.ts";
import { currentAccount, requireScope } from "../middleware/auth.ts";

/** Mastodon's Marker entity (https://docs.joinmastodon.org/entities/Marker/). */
export interface MastodonMarker {
  last_read_id: string;
  version: number;
  updated_at: string;
}

const timelineQuery = z.object({
  timeline: z
    .union([z.string(), z.array(z.string())])
    .optional()
    .transform((v) => (v === undefined ? [] : Array.isArray(v) ? v : [v])),
});
const position = z.object({ last_read_id: z.string().refine(isId, "must be an id") }).optional();
const markersBody = z
  .object({ home: position, notifications: position })
  .refine(
    (b) => b.home || b.notifications,
    "home[last_read_id] or notifications[last_read_id] is required",
  );

const serialize = (rows: Marker[]) =>
  Object.fromEntries(
    rows.map((m): [string, MastodonMarker] => [
      m.timeline,
      { last_read_id: m.lastReadId, version: m.version, updated_at: m.updatedAt.toISOString() },
    ]),
  );

/** /api/v1/markers: the reading positions an app keeps in home and notifications. */
export function markersRouter(deps: AppDeps): Hono<ApiEnv> {
  const { db } = deps;
  const app = new Hono<ApiEnv>();

  app.get("/", requireScope("read:statuses"), async (c) => {
    const { timeline } = readQuery(c, timelineQuery);
    return c.json(serialize(await getMarkers(db, currentAccount(c).id, timeline)));
  });

  app.post("/", requireScope("write:statuses"), async (c) => {
    const body = await readBody(c, markersBody);
    const saved = await saveMarkers(db, currentAccount(c).id, {
      home: body.home?.last_read_id,
      notifications: body.notifications?.last_read_id,
    });
    return c.json(serialize(saved));
  });

  return app;
}
