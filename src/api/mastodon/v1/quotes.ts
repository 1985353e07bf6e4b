import { Hono } from "hono";
import type { AppDeps } from "../../../deps.ts";
import { notFound } from "../../../lib/errors.ts";
import { isId } from "../../../lib/ids.ts";
import { listQuotes } from "../../../services/quotes/list.ts";
import { revokeQuote } from "../../../services/quotes/quotes.ts";
import { loadBundle } from "../../../services/statuses/load.ts";
import { serializeBundles, serializeStatuses } from "../entities/status.ts";
import type { ApiEnv } from "../env.ts";
import { currentAccount, requireScope } from "../middleware/auth.ts";
import { readPage, setLinkHeader } from "../paging.ts";

const statusId = (id: string) => {
  if (!isId(id)) throw notFound();
  return id;
};

/** /api/v1/statuses/:id/quotes and …/quotes/:quoting_status_id/revoke (Mastodon 4.5). */
export function statusQuotesRouter(deps: AppDeps): Hono<ApiEnv> {
  const { db, config } = deps;
  const app = new Hono<ApiEnv>();

  app.get("/:id/quotes", requireScope("read:statuses"), async (c) => {
    const me = currentAccount(c);
    const page = await listQuotes(db, me, statusId(c.req.param("id")), readPage(c));
    setLinkHeader(c, page.quoteIds, config.publicUrl);
    return c.json(await serializeStatuses(db, page.statuses, config.publicUrl, me.id));
  });

  app.post("/:id/quotes/:quoting_status_id/revoke", requireScope("write:statuses"), async (c) => {
    const me = currentAccount(c);
    const quotingId = await revokeQuote(
      db,
      me,
      statusId(c.req.param("id")),
      statusId(c.req.param("quoting_status_id")),
    );
    const [status] = await serializeBundles(
      db,
      [await loadBundle(db, quotingId)],
      config.publicUrl,
      me.id,
    );
    return c.json(status);
  });

  return app;
}
