import { Hono } from "hono";
import { z } from "zod";
import type { AppDeps } from "../../../deps.ts";
import { notFound } from "../../../lib/errors.ts";
import { notificationsReadUpTo } from "../../../services/markers/markers.ts";
import {
  countUnreadGroups,
  dismissGroup,
  findGroup,
  groupAccounts,
  groupedTypes,
  listGroups,
} from "../../../services/notifications/grouped.ts";
import { readQuery } from "../body.ts";
import { serializeAccounts } from "../entities/account.ts";
import { serializeGroups } from "../entities/notification-group.ts";
import type { ApiEnv } from "../env.ts";
import { filterGroupedNotifications } from "../filtering.ts";
import { currentAccount, requireScope } from "../middleware/auth.ts";
import { readPage, setLinkHeader } from "../paging.ts";
import { countQuery, filterQuery, names, readFilter } from "../v1/notifications.ts";

const groupedQuery = filterQuery.extend({
  grouped_types: names,
  // Tern has no fallback representations: every type it sends is one clients know.
  supported_types: names,
  expand_accounts: z.enum(["full", "partial_avatars"]).optional(),
});

/** /api/v2/notifications: the same notifications as v1, grouped as Mastodon 4.3+ groups them. */
export function groupedNotificationsRouter(deps: AppDeps): Hono<ApiEnv> {
  const { db, config } = deps;
  const app = new Hono<ApiEnv>();
  const groupKey = (key: string) => {
    if (key.length > 200) throw notFound();
    return key;
  };

  app.get("/", requireScope("read:notifications"), async (c) => {
    const me = currentAccount(c).id;
    const q = readQuery(c, groupedQuery);
    const groups = await listGroups(
      db,
      me,
      readFilter(q),
      groupedTypes(q.grouped_types),
      readPage(c, 80, 40),
    );
    setLinkHeader(
      c,
      groups.map((g) => g.notification.id),
      config.publicUrl,
    );
    const results = await serializeGroups(db, groups, config.publicUrl, me, q.expand_accounts);
    return c.json(await filterGroupedNotifications(db, me, results));
  });

  // Counted as v1 counts (past the same read marker, same filters), but in groups, as Mastodon.
  app.get("/unread_count", requireScope("read:notifications"), async (c) => {
    const me = currentAccount(c).id;
    const q = readQuery(c, groupedQuery.extend(countQuery.shape));
    const after = await notificationsReadUpTo(db, me);
    const types = groupedTypes(q.grouped_types);
    return c.json({
      count: await countUnreadGroups(db, me, readFilter(q), types, q.limit, after),
    });
  });

  app.get("/:group_key", requireScope("read:notifications"), async (c) => {
    const me = currentAccount(c).id;
    const group = await findGroup(db, me, groupKey(c.req.param("group_key")));
    if (!group) throw notFound();
    return c.json(await serializeGroups(db, [group], config.publicUrl, me));
  });

  app.get("/:group_key/accounts", requireScope("read:notifications"), async (c) => {
    const me = currentAccount(c).id;
    const key = groupKey(c.req.param("group_key"));
    const rows = await groupAccounts(db, me, key, readPage(c, 80, 40));
    setLinkHeader(
      c,
      rows.map((r) => r.notificationId),
      config.publicUrl,
    );
    // One account once, however many of the group's notifications it made.
    const people = [...new Map(rows.map((r) => [r.account.id, r.account])).values()];
    return c.json(await serializeAccounts(db, people, config.publicUrl));
  });

  app.post("/:group_key/dismiss", requireScope("write:notifications"), async (c) => {
    await dismissGroup(db, currentAccount(c).id, groupKey(c.req.param("group_key")));
    return c.json({});
  });

  return app;
}
