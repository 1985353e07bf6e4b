import { Hono } from "hono";
import type { AppDeps } from "../../../deps.ts";
import { accountPreferences } from "../../../services/accounts/preferences.ts";
import type { ApiEnv } from "../env.ts";
import { currentAccount, requireScope } from "../middleware/auth.ts";

/** GET /api/v1/preferences (Mastodon's Preferences; Ivory stops logging in without it). */
export function preferencesRouter(deps: AppDeps): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>();
  app.get("/", requireScope("read:accounts"), async (c) => {
    return c.json(await accountPreferences(deps.db, currentAccount(c).id));
  });
  return app;
}
