import { type Context, Hono } from "hono";
import { z } from "zod";
import { listRepliesPolicies } from "../../../db/schema/index.ts";
import type { AppDeps } from "../../../deps.ts";
import { notFound, unprocessable } from "../../../lib/errors.ts";
import { isId } from "../../../lib/ids.ts";
import {
  addListMembers,
  createList,
  deleteList,
  getList,
  listMembers,
  listsHolding,
  listsOf,
  removeListMembers,
  updateList,
} from "../../../services/lists/lists.ts";
import { readBody, readQuery } from "../body.ts";
import { serializeAccounts } from "../entities/account.ts";
import { serializeList } from "../entities/list.ts";
import type { ApiEnv } from "../env.ts";
import { currentAccount, requireScope } from "../middleware/auth.ts";
import { readPage, setLinkHeader } from "../paging.ts";

/** A path id: anything that is not one of our ids is a 404, as an unknown record. */
export const idParam = (id: string) => {
  if (!isId(id)) throw notFound();
  return id;
};

// Mastodon reads booleans loosely from forms; JSON clients send real ones.
const bool = z
  .union([z.boolean(), z.enum(["true", "false", "1", "0", "on", "off"])])
  .transform((v) => v === true || v === "true" || v === "1" || v === "on");
const listBody = z
  .object({
    title: z.string().max(10_000).optional(),
    replies_policy: z.enum(listRepliesPolicies).optional(),
    exclusive: bool.optional(),
  })
  .strict();
const ids = z
  .union([z.string(), z.array(z.string())])
  .transform((v) => (Array.isArray(v) ? v : [v]))
  .pipe(z.array(z.string().refine(isId, "must be account ids")).min(1).max(100));
const membersBody = z.object({ account_ids: ids.optional() }).strict();
const membersParams = z.object({ account_ids: ids.optional() }).passthrough();
// `limit=0`: every member at once (Mastodon's rule for this endpoint); otherwise at most 80.
const membersQuery = z
  .object({ limit: z.coerce.number().int().min(0).catch(40).default(40) })
  .passthrough();

/** `account_ids[]` from the body, or from the query (some clients send a DELETE without a body). */
async function memberIds(c: Context<ApiEnv>): Promise<string[]> {
  const body = await readBody(c, membersBody);
  const found = body.account_ids ?? readQuery(c, membersParams).account_ids;
  if (!found) throw unprocessable("Validation failed: account_ids: Required");
  return found;
}

const input = (b: z.infer<typeof listBody>) => ({
  title: b.title,
  repliesPolicy: b.replies_policy,
  exclusive: b.exclusive,
});

/** /api/v1/lists: the viewer's lists and their members (their timelines are under /timelines). */
export function listsRouter(deps: AppDeps): Hono<ApiEnv> {
  const { db, config } = deps;
  const app = new Hono<ApiEnv>();
  const me = (c: Context<ApiEnv>) => currentAccount(c).id;

  app.get("/", requireScope("read:lists"), async (c) =>
    c.json((await listsOf(db, me(c))).map(serializeList)),
  );
  app.post("/", requireScope("write:lists"), async (c) => {
    const body = await readBody(c, listBody);
    return c.json(serializeList(await createList(db, me(c), input(body))));
  });
  app.get("/:id", requireScope("read:lists"), async (c) =>
    c.json(serializeList(await getList(db, me(c), idParam(c.req.param("id"))))),
  );
  app.put("/:id", requireScope("write:lists"), async (c) => {
    const id = idParam(c.req.param("id"));
    const body = await readBody(c, listBody);
    return c.json(serializeList(await updateList(db, me(c), id, input(body))));
  });
  app.delete("/:id", requireScope("write:lists"), async (c) => {
    await deleteList(db, me(c), idParam(c.req.param("id")));
    return c.json({});
  });

  app.get("/:id/accounts", requireScope("read:lists"), async (c) => {
    const { limit } = readQuery(c, membersQuery);
    const page = { ...readPage(c, 80, 40), limit: Math.min(limit, 80) };
    if (limit === 0) page.limit = 0;
    const members = await listMembers(db, me(c), idParam(c.req.param("id")), page);
    if (limit !== 0)
      setLinkHeader(
        c,
        members.map((a) => a.id),
        config.publicUrl,
      );
    return c.json(await serializeAccounts(db, members, config.publicUrl));
  });
  app.post("/:id/accounts", requireScope("write:lists"), async (c) => {
    const id = idParam(c.req.param("id"));
    await addListMembers(db, me(c), id, await memberIds(c));
    return c.json({});
  });
  app.delete("/:id/accounts", requireScope("write:lists"), async (c) => {
    const id = idParam(c.req.param("id"));
    await removeListMembers(db, me(c), id, await memberIds(c));
    return c.json({});
  });
  return app;
}

/** GET /api/v1/accounts/:id/lists: which of the viewer's lists hold that account. */
export function accountListsRouter(deps: AppDeps): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>();
  app.get("/:id/lists", requireScope("read:lists"), async (c) => {
    const rows = await listsHolding(deps.db, currentAccount(c).id, idParam(c.req.param("id")));
    return c.json(rows.map(serializeList));
  });
  return app;
}
