import { type Context, Hono } from "hono";
import { z } from "zod";
import type { AppDeps } from "../../../deps.ts";
import { remotePostResolver, resolveRemoteAccount } from "../../../federation/resolve.ts";
import { AppError, unauthorized } from "../../../lib/errors.ts";
import { isId } from "../../../lib/ids.ts";
import { checkQuery } from "../../../services/search/query.ts";
import { type SearchResolvers, type SearchType, search } from "../../../services/search/search.ts";
import { readQuery } from "../body.ts";
import { serializeAccounts } from "../entities/account.ts";
import { serializeStatuses } from "../entities/status.ts";
import { serializeTags } from "../entities/tag.ts";
import type { ApiEnv } from "../env.ts";
import { scopeIfToken } from "../middleware/auth.ts";

// Flags read as Rails casts them: "false", "0", "off", "f" and "" are false.
const flag = z
  .string()
  .optional()
  .transform((v) => v !== undefined && !["", "0", "f", "false", "off"].includes(v.toLowerCase()));
const common = {
  q: z.string().optional(),
  resolve: flag,
  following: flag,
  offset: z.coerce.number().int().min(0).max(10_000).catch(0).default(0),
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .catch(20)
    .default(20)
    .transform((n) => Math.min(n, 40)),
};
const searchQuery = z
  .object({
    ...common,
    type: z.string().optional(),
    account_id: z.string().optional(),
    // Only admin-reviewed hashtags on Mastodon; Tern has no review step, so every tag counts.
    exclude_unreviewed: flag,
  })
  .passthrough();
const accountsQuery = z.object(common).passthrough();
const TYPES = ["accounts", "statuses", "hashtags"] as const;

/** The fetchers `resolve=true` uses: the signed, guarded, timed-out federation lookups. */
function resolvers(deps: AppDeps): SearchResolvers {
  const ctx = deps.federation.createContext(new URL(deps.config.publicUrl), {
    db: deps.db,
    config: deps.config,
  });
  return {
    account: (handleOrUrl) => resolveRemoteAccount(deps.federation, deps, handleOrUrl),
    post: remotePostResolver(ctx),
  };
}

/**
 * Runs a search as the caller. Mastodon refuses an anonymous caller two things, each a 401 that
 * says why: making the server fetch (`resolve`) and paging (`offset`).
 */
function searchAs(
  c: Context<ApiEnv>,
  deps: AppDeps,
  query: z.infer<typeof accountsQuery> & { type?: SearchType; account_id?: string },
) {
  const q = checkQuery(query.q);
  const viewer = c.var.auth?.account ?? null;
  if (!viewer && query.resolve)
    throw unauthorized(
      "Search queries that resolve remote resources are not supported without authentication",
    );
  if (!viewer && query.offset > 0)
    throw unauthorized("Search queries pagination is not supported without authentication");
  return search(deps.db, {
    q,
    type: query.type,
    viewerId: viewer?.id ?? null,
    localHost: deps.config.host,
    resolvers: query.resolve && viewer ? resolvers(deps) : null,
    following: query.following,
    accountId: query.account_id,
    limit: query.limit,
    offset: query.offset,
  });
}

/** GET /api/v2/search: accounts, statuses and hashtags (see services/search). */
export function searchRouter(deps: AppDeps): Hono<ApiEnv> {
  const { db, config } = deps;
  const app = new Hono<ApiEnv>();
  app.get("/", scopeIfToken("read:search"), async (c) => {
    const query = readQuery(c, searchQuery);
    if (query.type !== undefined && !TYPES.includes(query.type as SearchType))
      throw new AppError(422, `type must be one of ${TYPES.join(", ")}`);
    if (query.account_id !== undefined && !isId(query.account_id))
      throw new AppError(422, "account_id must be a numeric id");
    const found = await searchAs(c, deps, { ...query, type: query.type as SearchType });
    const viewerId = c.var.auth?.account?.id;
    const [accounts, statuses, hashtags] = await Promise.all([
      serializeAccounts(db, found.accounts, config.publicUrl),
      serializeStatuses(db, found.statuses, config.publicUrl, viewerId),
      serializeTags(db, found.hashtags, config.publicUrl, viewerId ?? null),
    ]);
    return c.json({ accounts, statuses, hashtags });
  });
  return app;
}

/** GET /api/v1/accounts/search (mounted before the accounts router, whose /:id would take it). */
export function accountSearchRouter(deps: AppDeps): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>();
  app.get("/search", scopeIfToken("read:accounts"), async (c) => {
    const query = readQuery(c, accountsQuery);
    const found = await searchAs(c, deps, { ...query, type: "accounts" });
    return c.json(await serializeAccounts(deps.db, found.accounts, deps.config.publicUrl));
  });
  return app;
}
