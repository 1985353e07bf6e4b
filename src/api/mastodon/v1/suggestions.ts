import { Hono } from "hono";
import { z } from "zod";
import type { AppDeps } from "../../../deps.ts";
import { notFound } from "../../../lib/errors.ts";
import { isId } from "../../../lib/ids.ts";
import { dismissSuggestion, suggestedAccounts } from "../../../services/trends/suggestions.ts";
import { readQuery } from "../body.ts";
import { serializeAccounts } from "../entities/account.ts";
import type { ApiEnv } from "../env.ts";
import { currentAccount, requireScope } from "../middleware/auth.ts";

const limitQuery = z.object({
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .catch(40)
    .default(40)
    .transform((n) => Math.min(n, 80)),
});

/**
 * Follow suggestions: v1 answers Accounts, v2 Suggestions (with why); both drop an account with
 * `DELETE /api/v1/suggestions/:account_id`.
 */
export function suggestionsRouter(deps: AppDeps, version: 1 | 2): Hono<ApiEnv> {
  const { db, config } = deps;
  const app = new Hono<ApiEnv>();
  app.get("/", requireScope("read"), async (c) => {
    const { limit } = readQuery(c, limitQuery);
    const me = currentAccount(c).id;
    const accounts = await serializeAccounts(
      db,
      await suggestedAccounts(db, me, limit),
      config.publicUrl,
    );
    if (version === 1) return c.json(accounts);
    return c.json(
      accounts.map((account) => ({ source: "global", sources: ["most_followed"], account })),
    );
  });
  app.delete("/:account_id", requireScope("read"), async (c) => {
    const id = c.req.param("account_id");
    if (!isId(id)) throw notFound();
    await dismissSuggestion(db, currentAccount(c).id, id);
    return c.json({});
  });
  return app;
}
