import { Hono } from "hono";
import type { AppDeps } from "../../../deps.ts";
import { listLocalEmojis } from "../../../services/emojis/emojis.ts";
import { serializeEmoji } from "../entities/custom-emoji.ts";
import type { ApiEnv } from "../env.ts";

/** GET /api/v1/custom_emojis: this server's emoji, for pickers (public, as on Mastodon). */
export function customEmojisRouter(deps: AppDeps): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>();
  app.get("/", async (c) => c.json((await listLocalEmojis(deps.db)).map(serializeEmoji)));
  return app;
}
