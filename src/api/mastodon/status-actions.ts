import type { Hono } from "hono";
import type { Db } from "../../db/client.ts";
import type { AppDeps } from "../../deps.ts";
import { notFound } from "../../lib/errors.ts";
import { isId } from "../../lib/ids.ts";
import type { Account } from "../../services/accounts/accounts.ts";
import { loadBundle } from "../../services/statuses/load.ts";
import { serializeBundles } from "./entities/status.ts";
import type { ApiEnv } from "./env.ts";
import { currentAccount, requireScope } from "./middleware/auth.ts";

/** A status id from the path; anything else is a status that does not exist. */
export function statusIdParam(id: string): string {
  if (!isId(id)) throw notFound();
  return id;
}

type StatusAction = (db: Db, me: Account, statusId: string) => Promise<void>;

/**
 * `POST /:id/<action>` for each action (bookmark, pin, ...): runs the service and answers the
 * status as it is after the write, with the viewer's flags, as Mastodon answers.
 */
export function statusActionRoutes(
  app: Hono<ApiEnv>,
  deps: AppDeps,
  scope: string,
  actions: Record<string, StatusAction>,
): void {
  for (const [name, action] of Object.entries(actions)) {
    app.post(`/:id/${name}`, requireScope(scope), async (c) => {
      const me = currentAccount(c);
      const id = statusIdParam(c.req.param("id"));
      await action(deps.db, me, id);
      const [status] = await serializeBundles(
        deps.db,
        [await loadBundle(deps.db, id)],
        deps.config.publicUrl,
        me.id,
      );
      return c.json(status);
    });
  }
}
