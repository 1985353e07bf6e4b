import { Hono } from "hono";
import { z } from "zod";
import type { AppDeps } from "../../../deps.ts";
import {
  cancelScheduledStatus,
  getScheduledStatus,
  listScheduledStatuses,
  rescheduleStatus,
} from "../../../services/scheduled/scheduled.ts";
import { readBody } from "../body.ts";
import { serializeScheduledStatus } from "../entities/scheduled-status.ts";
import type { ApiEnv } from "../env.ts";
import { currentAccount, requireScope } from "../middleware/auth.ts";
import { readPage, setLinkHeader } from "../paging.ts";
import { idParam } from "./lists.ts";
import { statusBody } from "./statuses.ts";

const rescheduleBody = z.object({
  scheduled_at: statusBody.shape.scheduled_at.refine((v) => v !== undefined, "is required"),
});

/** /api/v1/scheduled_statuses: the caller's posts waiting for their time (Mastodon's API). */
export function scheduledStatusesRouter(deps: AppDeps): Hono<ApiEnv> {
  const { db, config } = deps;
  const app = new Hono<ApiEnv>();

  app.get("/", requireScope("read:statuses"), async (c) => {
    const rows = await listScheduledStatuses(db, currentAccount(c).id, readPage(c));
    setLinkHeader(
      c,
      rows.map((r) => r.id),
      config.publicUrl,
    );
    return c.json(rows.map(serializeScheduledStatus));
  });

  app.get("/:id", requireScope("read:statuses"), async (c) => {
    const row = await getScheduledStatus(db, currentAccount(c).id, idParam(c.req.param("id")));
    return c.json(serializeScheduledStatus(row));
  });

  // Only the time can change (Mastodon permits nothing else); the same 422 rules apply.
  app.put("/:id", requireScope("write:statuses"), async (c) => {
    const id = idParam(c.req.param("id"));
    const body = await readBody(c, rescheduleBody);
    const row = await rescheduleStatus(db, currentAccount(c).id, id, body.scheduled_at as Date, {
      grantedByAccountId: c.var.auth?.grantedByAccountId,
    });
    return c.json(serializeScheduledStatus(row));
  });

  app.delete("/:id", requireScope("write:statuses"), async (c) => {
    await cancelScheduledStatus(db, currentAccount(c).id, idParam(c.req.param("id")), {
      grantedByAccountId: c.var.auth?.grantedByAccountId,
    });
    return c.json({});
  });

  return app;
}
