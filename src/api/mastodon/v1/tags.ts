import { Hono } from "hono";
import type { AppDeps } from "../../../deps.ts";
import { followTag, listFollowedTags, unfollowTag } from "../../../services/tags/follows.ts";
import { tagName } from "../../../services/tags/names.ts";
import { serializeTags } from "../entities/tag.ts";
import type { ApiEnv } from "../env.ts";
import { currentAccount, requireScope, scopeIfToken } from "../middleware/auth.ts";
import { readPage, setLinkHeader } from "../paging.ts";

/** /api/v1/tags/:name (the Tag with its week of history) and its follow / unfollow. */
export function tagsRouter(deps: AppDeps): Hono<ApiEnv> {
  const { db, config } = deps;
  const app = new Hono<ApiEnv>();
  const one = async (name: string, viewerId: string | null) =>
    (await serializeTags(db, [name], config.publicUrl, viewerId))[0];

  app.get("/:name", scopeIfToken("read:follows"), async (c) =>
    c.json(await one(tagName(c.req.param("name")), c.var.auth?.account?.id ?? null)),
  );
  for (const [action, change] of [
    ["follow", followTag],
    ["unfollow", unfollowTag],
  ] as const) {
    app.post(`/:name/${action}`, requireScope("write:follows"), async (c) => {
      const me = currentAccount(c).id;
      const name = tagName(c.req.param("name"));
      await change(db, me, name);
      return c.json(await one(name, me));
    });
  }
  return app;
}

/** GET /api/v1/followed_tags: newest follow first, paged by the follow's id. */
export function followedTagsRouter(deps: AppDeps): Hono<ApiEnv> {
  const { db, config } = deps;
  const app = new Hono<ApiEnv>();
  app.get("/", requireScope("read:follows"), async (c) => {
    const me = currentAccount(c).id;
    const rows = await listFollowedTags(db, me, readPage(c, 200, 100));
    setLinkHeader(
      c,
      rows.map((r) => r.id),
      config.publicUrl,
    );
    const names = rows.map((r) => r.name);
    return c.json(await serializeTags(db, names, config.publicUrl, me));
  });
  return app;
}
