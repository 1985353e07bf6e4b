import { type Context, Hono } from "hono";
import type { AppDeps } from "../../../deps.ts";
import { unprocessable } from "../../../lib/errors.ts";
import {
  accountSummary,
  assertMayRead,
  followerGrowth,
  statusAuthor,
  statusSummary,
} from "../../../services/analytics/read.ts";
import { csvResponse } from "../csv-response.ts";
import type { ApiEnv } from "../env.ts";
import { currentAccount, requireScope } from "../middleware/auth.ts";
import { idParam } from "./lists.ts";

/** Refuses query parameters the route does not know (422 naming them), reads `days`. */
function readDays(c: Context<ApiEnv>, allowed: string[]): number {
  const query = c.req.query();
  const unknown = Object.keys(query).filter((k) => !allowed.includes(k));
  if (unknown.length) throw unprocessable(`Unsupported parameters: ${unknown.join(", ")}`);
  if (query.days === undefined) return 30;
  const days = Number(query.days);
  if (!Number.isInteger(days) || days < 1 || days > 365) {
    throw unprocessable("days must be a whole number from 1 to 365");
  }
  return days;
}

/**
 * GET /api/v1/tern/analytics/...: reach and growth of an account or a post, for the account
 * itself and its team (any role). Anyone else gets 404, as if the account did not exist.
 */
export function ternAnalyticsRouter(deps: AppDeps): Hono<ApiEnv> {
  const { db } = deps;
  const app = new Hono<ApiEnv>();
  app.use("*", requireScope("read"));

  app.get("/accounts/:id/growth.csv", async (c) => {
    const days = readDays(c, ["days"]);
    const id = idParam(c.req.param("id"));
    await assertMayRead(db, currentAccount(c).id, id);
    const growth = await followerGrowth(db, id, days);
    async function* lines() {
      yield "day,gained,lost\n";
      for (const g of growth) yield `${g.day},${g.gained},${g.lost}\n`;
    }
    return csvResponse(c, lines(), "growth.csv");
  });

  app.get("/accounts/:id", async (c) => {
    const days = readDays(c, ["days"]);
    const id = idParam(c.req.param("id"));
    await assertMayRead(db, currentAccount(c).id, id);
    return c.json(await accountSummary(db, id, days));
  });

  app.get("/statuses/:id", async (c) => {
    readDays(c, []);
    const id = idParam(c.req.param("id"));
    await assertMayRead(db, currentAccount(c).id, await statusAuthor(db, id));
    return c.json(await statusSummary(db, id));
  });
  return app;
}
