import { Hono } from "hono";
import { z } from "zod";
import type { AppDeps } from "../../../deps.ts";
import { notFound } from "../../../lib/errors.ts";
import { isId } from "../../../lib/ids.ts";
import {
  addAnnouncementReaction,
  dismissAnnouncement,
  listAnnouncements,
  removeAnnouncementReaction,
} from "../../../services/announcements/announcements.ts";
import { readQuery } from "../body.ts";
import { serializeAnnouncement } from "../entities/announcement.ts";
import type { ApiEnv } from "../env.ts";
import { currentAccount, requireScope } from "../middleware/auth.ts";

const listQuery = z.object({
  with_dismissed: z
    .string()
    .optional()
    .transform((v) => v !== undefined && !["false", "0", "off", "f", ""].includes(v)),
});

const idOf = (raw: string) => {
  if (!isId(raw)) throw notFound();
  return raw;
};

/** /api/v1/announcements: what the admin announced, dismissals and emoji reactions. */
export function announcementsRouter(deps: AppDeps): Hono<ApiEnv> {
  const { db } = deps;
  const app = new Hono<ApiEnv>();
  app.get("/", requireScope("read"), async (c) => {
    const q = readQuery(c, listQuery);
    const views = await listAnnouncements(db, currentAccount(c).id, q.with_dismissed);
    return c.json(views.map(serializeAnnouncement));
  });
  app.post("/:id/dismiss", requireScope("write:accounts"), async (c) => {
    await dismissAnnouncement(db, currentAccount(c).id, idOf(c.req.param("id")));
    return c.json({});
  });
  app.put("/:id/reactions/:name", requireScope("write:favourites"), async (c) => {
    const name = c.req.param("name"); // Hono has decoded it
    await addAnnouncementReaction(db, currentAccount(c).id, idOf(c.req.param("id")), name);
    return c.json({});
  });
  app.delete("/:id/reactions/:name", requireScope("write:favourites"), async (c) => {
    const name = c.req.param("name"); // Hono has decoded it
    await removeAnnouncementReaction(db, currentAccount(c).id, idOf(c.req.param("id")), name);
    return c.json({});
  });
  return app;
}
