import { type Context, Hono } from "hono";
import { z } from "zod";
import type { AppDeps } from "../../../deps.ts";
import {
  createV1Filter,
  deleteV1Filter,
  updateV1Filter,
  type V1Filter,
  type V1Input,
  v1Filter,
  v1Filters,
} from "../../../services/filters/v1.ts";
import { readBody } from "../body.ts";
import { serializeV1Filter } from "../entities/filter.ts";
import type { ApiEnv } from "../env.ts";
import { contexts, expiresIn, flag } from "../filter-params.ts";
import { currentAccount, requireScope } from "../middleware/auth.ts";
import { idParam } from "./lists.ts";

const v1Body = z
  .object({
    phrase: z.string().max(10_000).optional(),
    context: contexts.optional(),
    irreversible: flag.optional(),
    whole_word: flag.optional(),
    expires_in: expiresIn.optional(),
  })
  .strict();

const v1Input = (b: z.infer<typeof v1Body>): V1Input => ({
  phrase: b.phrase,
  context: b.context,
  irreversible: b.irreversible,
  wholeWord: b.whole_word,
  expiresIn: b.expires_in,
});
const out = (f: V1Filter) => serializeV1Filter(f.filter, f.keyword);

/** /api/v1/filters: the v1 view of v2 filters (services/filters/v1.ts says how they map). */
export function filtersV1Router(deps: AppDeps): Hono<ApiEnv> {
  const { db } = deps;
  const app = new Hono<ApiEnv>();
  const me = (c: Context<ApiEnv>) => currentAccount(c).id;
  const param = (c: Context<ApiEnv>) => idParam(c.req.param("id") ?? "");
  const read = requireScope("read:filters");
  const write = requireScope("write:filters");

  app.get("/", read, async (c) => c.json((await v1Filters(db, me(c))).map(out)));
  app.get("/:id", read, async (c) => c.json(out(await v1Filter(db, me(c), param(c)))));
  app.post("/", write, async (c) => {
    const body = await readBody(c, v1Body);
    return c.json(out(await createV1Filter(db, me(c), v1Input(body))));
  });
  app.put("/:id", write, async (c) => {
    const body = await readBody(c, v1Body);
    return c.json(out(await updateV1Filter(db, me(c), param(c), v1Input(body))));
  });
  app.delete("/:id", write, async (c) => {
    await deleteV1Filter(db, me(c), param(c));
    return c.json({});
  });
  return app;
}
