import { sql } from "drizzle-orm";
import { Hono } from "hono";
import type { AppDeps } from "../deps.ts";

const DB_TIMEOUT_MS = 2_000;

/** GET /health: 200 only while the database answers; container healthchecks and proxies use it. */
export function healthRoutes(deps: AppDeps): Hono {
  const app = new Hono();
  app.get("/health", async (c) => {
    c.header("Cache-Control", "no-store");
    try {
      await Promise.race([
        deps.db.execute(sql`select 1`),
        new Promise((_, reject) =>
          setTimeout(() => reject(new Error("timeout")), DB_TIMEOUT_MS).unref(),
        ),
      ]);
      return c.json({ status: "ok" });
    } catch {
      return c.json({ status: "unavailable", error: "The database does not answer" }, 503);
    }
  });
  return app;
}
