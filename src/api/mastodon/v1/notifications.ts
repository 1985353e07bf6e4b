import { Hono } from "hono";
import { z } from "zod";
import type { AppDeps } from "../../../deps.ts";
import { notFound } from "../../../lib/errors.ts";
import { isId } from "../../../lib/ids.ts";
import { notificationsReadUpTo } from "../../../services/markers/markers.ts";
import {
  clearNotifications,
  countUnread,
  dismissNotification,
  getNotification,
  listNotifications,
  type NotificationFilter,
} from "../../../services/notifications/notifications.ts";
import { readQuery } from "../body.ts";
import { serializeNotifications } from "../entities/notification.ts";
import type { ApiEnv } from "../env.ts";
import { filterNotifications } from "../filtering.ts";
import { currentAccount, requireScope } from "../middleware/auth.ts";
import { readPage, setLinkHeader } from "../paging.ts";

// `types[]=a&types[]=b` or a single `types=a`; names Tern does not know are ignored (not a 4xx).
export const names = z
  .union([z.string(), z.array(z.string())])
  .optional()
  .transform((v) => (v === undefined ? undefined : Array.isArray(v) ? v : [v]));
export const filterQuery = z
  .object({
    types: names,
    exclude_types: names,
    account_id: z.string().refine(isId, "must be an account id").optional(),
    // Tern filters no notifications away (no notification policy yet): all are included anyway.
    include_filtered: z.enum(["true", "false", "1", "0", ""]).optional(),
  })
  .passthrough();
export const countQuery = z
  .object({
    limit: z.coerce
      .number()
      .int()
      .min(1)
      .catch(100)
      .default(100)
      .transform((n) => Math.min(n, 1000)),
  })
  .passthrough();

export const readFilter = (q: z.infer<typeof filterQuery>): NotificationFilter => ({
  types: q.types,
  excludeTypes: q.exclude_types,
  fromAccountId: q.account_id,
});

/** /api/v1/notifications: the signed-in account's notifications (v1, ungrouped). */
export function notificationsRouter(deps: AppDeps): Hono<ApiEnv> {
  const { db, config } = deps;
  const app = new Hono<ApiEnv>();
  const idParam = (id: string) => {
    if (!isId(id)) throw notFound();
    return id;
  };

  app.get("/", requireScope("read:notifications"), async (c) => {
    const me = currentAccount(c).id;
    const filter = readFilter(readQuery(c, filterQuery));
    const rows = await listNotifications(db, me, filter, readPage(c, 80, 40));
    setLinkHeader(
      c,
      rows.map((n) => n.id),
      config.publicUrl,
    );
    const page = await serializeNotifications(db, rows, config.publicUrl, me);
    return c.json(await filterNotifications(db, me, page));
  });

  app.get("/unread_count", requireScope("read:notifications"), async (c) => {
    const me = currentAccount(c).id;
    const filter = readFilter(readQuery(c, filterQuery));
    const { limit } = readQuery(c, countQuery);
    const after = await notificationsReadUpTo(db, me);
    return c.json({ count: await countUnread(db, me, filter, limit, after) });
  });

  app.post("/clear", requireScope("write:notifications"), async (c) => {
    await clearNotifications(db, currentAccount(c).id);
    return c.json({});
  });

  app.get("/:id", requireScope("read:notifications"), async (c) => {
    const me = currentAccount(c).id;
    const row = await getNotification(db, me, idParam(c.req.param("id")));
    return c.json((await serializeNotifications(db, [row], config.publicUrl, me))[0]);
  });

  app.post("/:id/dismiss", requireScope("write:notifications"), async (c) => {
    await dismissNotification(db, currentAccount(c).id, idParam(c.req.param("id")));
    return c.json({});
  });

  return app;
}
