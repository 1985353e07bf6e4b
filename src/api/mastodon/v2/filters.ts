import { type Context, Hono } from "hono";
import { z } from "zod";
import type { AppDeps } from "../../../deps.ts";
import { isId } from "../../../lib/ids.ts";
import {
  addFilterStatus,
  addKeyword,
  createFilter,
  deleteFilter,
  deleteFilterStatus,
  deleteKeyword,
  type FilterInput,
  filtersWithRules,
  getFilter,
  getFilterStatus,
  getKeyword,
  updateFilter,
  updateKeyword,
} from "../../../services/filters/filters.ts";
import { readBody } from "../body.ts";
import { serializeFilter, serializeFilterStatus, serializeKeyword } from "../entities/filter.ts";
import type { ApiEnv } from "../env.ts";
import { action, contexts, expiresIn, flag, keywordsAttributes } from "../filter-params.ts";
import { currentAccount, requireScope } from "../middleware/auth.ts";
import { idParam } from "../v1/lists.ts";

const filterBody = z
  .object({
    title: z.string().max(10_000).optional(),
    context: contexts.optional(),
    filter_action: action.optional(),
    expires_in: expiresIn.optional(),
    keywords_attributes: keywordsAttributes.optional(),
  })
  .strict();
const keywordBody = z
  .object({ keyword: z.string().max(10_000).optional(), whole_word: flag.optional() })
  .strict();
const statusBody = z.object({ status_id: z.string().refine(isId, "must be a status id") }).strict();

const filterInput = (b: z.infer<typeof filterBody>): FilterInput => ({
  title: b.title,
  context: b.context,
  action: b.filter_action,
  expiresIn: b.expires_in,
  keywords: b.keywords_attributes,
});

/** /api/v2/filters: filters with keywords and statuses, applied when statuses are shown. */
export function filtersV2Router(deps: AppDeps): Hono<ApiEnv> {
  const { db } = deps;
  const app = new Hono<ApiEnv>();
  const read = requireScope("read:filters");
  const write = requireScope("write:filters");
  const me = (c: Context<ApiEnv>) => currentAccount(c).id;
  const param = (c: Context<ApiEnv>, name = "id") => idParam(c.req.param(name) ?? "");

  // Keywords and statuses by their own id (registered before /:id/...).
  app.get("/keywords/:id", read, async (c) =>
    c.json(serializeKeyword(await getKeyword(db, me(c), param(c)))),
  );
  app.put("/keywords/:id", write, async (c) => {
    const body = await readBody(c, keywordBody);
    const k = await updateKeyword(db, me(c), param(c), {
      keyword: body.keyword,
      wholeWord: body.whole_word,
    });
    return c.json(serializeKeyword(k));
  });
  app.delete("/keywords/:id", write, async (c) => {
    await deleteKeyword(db, me(c), param(c));
    return c.json({});
  });
  app.get("/statuses/:id", read, async (c) =>
    c.json(serializeFilterStatus(await getFilterStatus(db, me(c), param(c)))),
  );
  app.delete("/statuses/:id", write, async (c) => {
    await deleteFilterStatus(db, me(c), param(c));
    return c.json({});
  });

  app.get("/", read, async (c) => c.json((await filtersWithRules(db, me(c))).map(serializeFilter)));
  app.post("/", write, async (c) => {
    const body = await readBody(c, filterBody);
    return c.json(serializeFilter(await createFilter(db, me(c), filterInput(body))));
  });
  app.get("/:id", read, async (c) => c.json(serializeFilter(await getFilter(db, me(c), param(c)))));
  app.put("/:id", write, async (c) => {
    const body = await readBody(c, filterBody);
    return c.json(serializeFilter(await updateFilter(db, me(c), param(c), filterInput(body))));
  });
  app.delete("/:id", write, async (c) => {
    await deleteFilter(db, me(c), param(c));
    return c.json({});
  });

  app.get("/:id/keywords", read, async (c) =>
    c.json((await getFilter(db, me(c), param(c))).keywords.map(serializeKeyword)),
  );
  app.post("/:id/keywords", write, async (c) => {
    const body = await readBody(c, keywordBody);
    const k = await addKeyword(db, me(c), param(c), {
      keyword: body.keyword,
      wholeWord: body.whole_word,
    });
    return c.json(serializeKeyword(k));
  });
  app.get("/:id/statuses", read, async (c) =>
    c.json((await getFilter(db, me(c), param(c))).statuses.map(serializeFilterStatus)),
  );
  app.post("/:id/statuses", write, async (c) => {
    const body = await readBody(c, statusBody);
    return c.json(
      serializeFilterStatus(await addFilterStatus(db, me(c), param(c), body.status_id)),
    );
  });
  return app;
}
