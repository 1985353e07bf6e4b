import { type Context, Hono } from "hono";
import type { AppDeps } from "../../../deps.ts";
import { unprocessable } from "../../../lib/errors.ts";
import {
  accountSummary,
  assertMayRead,
  followerGrowth,
  statusAuthor,
  statusSummary,
  topStatuses,
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

  /** `limit` (default 20, at most 40), after refusing unknown parameters. */
  async function top(c: Context<ApiEnv>) {
    readDays(c, ["limit"]);
    const raw = c.req.query("limit");
    const limit = raw === undefined ? 20 : Number(raw);
    if (!Number.isInteger(limit) || limit < 1) throw unprocessable("limit must be a whole number");
    const id = idParam(c.req.param("id") ?? "");
    await assertMayRead(db, currentAccount(c).id, id);
    return topStatuses(db, id, Math.min(limit, 40));
  }
  app.get("/accounts/:id/top_statuses", async (c) => c.json(await top(c)));
  app.get("/accounts/:id/top_statuses.csv", async (c) => {
    const rows = await top(c);
    const quote = (s: string) => `"${s.replaceAll('"', '""').replace(/[\r\n]+/g, " ")}"`;
    async function* lines() {
      yield "status_id,created_at,excerpt,replies,favourites,reblogs,quotes,followers_reached\n";
      for (const r of rows) {
        yield `${r.status_id},${r.created_at},${quote(r.excerpt)},${r.replies_count},${r.favourites_count},${r.reblogs_count},${r.quotes_count},${r.followers_reached}\n`;
      }
    }
    return csvResponse(c, lines(), "top_statuses.csv");
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
