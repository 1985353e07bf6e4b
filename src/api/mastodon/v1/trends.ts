import type { Context } from "hono";
import { Hono } from "hono";
import { z } from "zod";
import type { AppDeps } from "../../../deps.ts";
import { trendingStatuses, trendingTags } from "../../../services/trends/trends.ts";
import { readQuery } from "../body.ts";
import { serializeStatuses } from "../entities/status.ts";
import type { ApiEnv } from "../env.ts";
import { scopeIfToken } from "../middleware/auth.ts";

const pageQuery = (fallback: number, max: number) =>
  z.object({
    limit: z.coerce
      .number()
      .int()
      .min(1)
      .catch(fallback)
      .default(fallback)
      .transform((n) => Math.min(n, max)),
    offset: z.coerce.number().int().min(0).max(10_000).default(0),
  });

/** Trends page by offset (Mastodon's own paging here): `next` while a page comes back full. */
function setOffsetLink(
  c: Context,
  publicUrl: string,
  page: { limit: number; offset: number },
  count: number,
) {
  if (count < page.limit) return;
  const url = new URL(c.req.url);
  const params = new URLSearchParams(url.searchParams);
  params.set("offset", String(page.offset + page.limit));
  c.header("Link", `<${publicUrl}${url.pathname}?${params}>; rel="next"`);
}

/**
 * /api/v1/trends/tags, /statuses and /links, computed from the last days' public activity here.
 * Public, as on Mastodon; with a token, what the viewer hid stays out.
 */
export function trendsRouter(deps: AppDeps): Hono<ApiEnv> {
  const { db, config } = deps;
  const app = new Hono<ApiEnv>();
  const viewer = (c: Context<ApiEnv>) => c.get("auth")?.account?.id ?? null;
  const tags = async (c: Context<ApiEnv>) => {
    const page = readQuery(c, pageQuery(10, 20));
    const found = await trendingTags(db, viewer(c), page);
    setOffsetLink(c, config.publicUrl, page, found.length);
    return c.json(
      found.map((t) => ({
        name: t.name,
        url: `${config.publicUrl}/tags/${encodeURIComponent(t.name)}`,
        history: t.history,
        following: t.following,
      })),
    );
  };
  app.get("/", scopeIfToken("read"), tags);
  app.get("/tags", scopeIfToken("read"), tags);
  app.get("/statuses", scopeIfToken("read:statuses"), async (c) => {
    const page = readQuery(c, pageQuery(20, 40));
    const me = viewer(c);
    const rows = await trendingStatuses(db, me, page);
    setOffsetLink(c, config.publicUrl, page, rows.length);
    return c.json(await serializeStatuses(db, rows, config.publicUrl, me));
  });
  // Tern reads no link previews yet, so no links trend.
  app.get("/links", (c) => c.json([]));
  return app;
}
