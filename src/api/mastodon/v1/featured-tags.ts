import { Hono } from "hono";
import { z } from "zod";
import type { AppDeps } from "../../../deps.ts";
import { notFound } from "../../../lib/errors.ts";
import { isId } from "../../../lib/ids.ts";
import {
  featureTag,
  listFeaturedTags,
  suggestedFeaturedTags,
  unfeatureTag,
} from "../../../services/tags/featured.ts";
import { tagName } from "../../../services/tags/names.ts";
import { readBody } from "../body.ts";
import { serializeFeaturedTag, serializeTags } from "../entities/tag.ts";
import type { ApiEnv } from "../env.ts";
import { currentAccount, requireScope } from "../middleware/auth.ts";

const featureBody = z.object({ name: z.string().min(1, "name is required").max(200) });

/** /api/v1/featured_tags: the hashtags shown on the caller's profile, and suggestions. */
export function featuredTagsRouter(deps: AppDeps): Hono<ApiEnv> {
  const { db, config } = deps;
  const app = new Hono<ApiEnv>();

  app.get("/", requireScope("read:accounts"), async (c) => {
    const me = currentAccount(c);
    const tags = await listFeaturedTags(db, me.id);
    return c.json(tags.map((t) => serializeFeaturedTag(t, me, config.publicUrl)));
  });

  app.get("/suggestions", requireScope("read:accounts"), async (c) => {
    const me = currentAccount(c).id;
    const names = await suggestedFeaturedTags(db, me);
    return c.json(await serializeTags(db, names, config.publicUrl, me));
  });

  app.post("/", requireScope("write:accounts"), async (c) => {
    const me = currentAccount(c);
    const { name: raw } = await readBody(c, featureBody);
    const id = await featureTag(db, me.id, tagName(raw));
    const made = (await listFeaturedTags(db, me.id)).find((t) => t.id === id);
    if (!made) throw notFound();
    return c.json(serializeFeaturedTag(made, me, config.publicUrl));
  });

  app.delete("/:id", requireScope("write:accounts"), async (c) => {
    const id = c.req.param("id");
    if (!isId(id)) throw notFound();
    await unfeatureTag(db, currentAccount(c).id, id);
    return c.json({});
  });
  return app;
}
