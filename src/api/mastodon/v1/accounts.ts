import { Hono } from "hono";
import { z } from "zod";
import type { AppDeps } from "../../../deps.ts";
import { resolveRemoteAccount } from "../../../federation/resolve.ts";
import { AppError, notFound } from "../../../lib/errors.ts";
import { isId } from "../../../lib/ids.ts";
import { findPublicAccountByAcct, getPublicAccount } from "../../../services/accounts/visible.ts";
import { followAccount, unfollowAccount } from "../../../services/follows/follows.ts";
import { relationships } from "../../../services/follows/relationships.ts";
import { accountStatuses } from "../../../services/timelines/timelines.ts";
import { readBody, readQuery } from "../body.ts";
import { serializeOneAccount } from "../entities/account.ts";
import { serializeRelationship } from "../entities/relationship.ts";
import { serializeStatuses } from "../entities/status.ts";
import type { ApiEnv } from "../env.ts";
import { ViewerFilters } from "../filtering.ts";
import { followListPage } from "../follow-list.ts";
import { currentAccount, requireScope, scopeIfToken } from "../middleware/auth.ts";
import { readPage, setLinkHeader } from "../paging.ts";

const acctQuery = z.object({ acct: z.string().min(1).max(300) });
// Flags read as Rails casts them (Mastodon's `truthy_param?`): "false", "0", "off", "f" and "" are false.
const railsFlag = z
  .string()
  .optional()
  .transform((v) => v !== undefined && !["", "0", "f", "false", "off"].includes(v.toLowerCase()));
const accountStatusesQuery = z.object({
  pinned: railsFlag,
  exclude_replies: railsFlag,
  exclude_reblogs: railsFlag,
  only_media: railsFlag,
  tagged: z.string().max(200).optional(),
});
const idsQuery = z.object({ id: z.union([z.string(), z.array(z.string())]).optional() });
// Mastodon's follow options: forms send "true"/"1"; empty or absent leaves the option as it is.
const flagValue = z
  .union([z.boolean(), z.enum(["true", "false", "1", "0", ""])])
  .nullish()
  .transform((v) =>
    v === null || v === undefined || v === "" ? undefined : v === true || v === "true" || v === "1",
  );
const followBody = z.object({
  reblogs: flagValue,
  notify: flagValue,
  languages: z
    .array(z.string().regex(/^[a-zA-Z]{2,3}$/, "must be ISO 639 language codes"))
    .max(100)
    .nullish()
    .transform((v) => (v === undefined ? undefined : (v?.map((l) => l.toLowerCase()) ?? null))),
});

/** /api/v1/accounts: profiles, lookup (with WebFinger for remote handles), follows. */
export function accountsRouter(deps: AppDeps): Hono<ApiEnv> {
  const { db, config } = deps;
  const app = new Hono<ApiEnv>();
  const account = async (id: string) => {
    if (!isId(id)) throw notFound();
    // A sign-up awaiting approval is a 404 here (staff see it through the admin API).
    return getPublicAccount(db, id);
  };

  app.get("/lookup", scopeIfToken("read:accounts"), async (c) => {
    const { acct } = readQuery(c, acctQuery);
    // Only a signed-in client may make the server look up an unknown remote handle.
    const found = await lookup(deps, acct, Boolean(c.var.auth));
    if (!found) throw notFound();
    return c.json(await serializeOneAccount(db, found, config.publicUrl));
  });

  app.get("/relationships", requireScope("read:follows"), async (c) => {
    const { id } = readQuery(c, idsQuery);
    const ids = (Array.isArray(id) ? id : id ? [id] : []).filter(isId);
    const facts = await relationships(db, currentAccount(c).id, ids);
    return c.json(facts.map(serializeRelationship));
  });

  app.get("/:id", scopeIfToken("read:accounts"), async (c) =>
    c.json(await serializeOneAccount(db, await account(c.req.param("id")), config.publicUrl)),
  );

  app.get("/:id/statuses", scopeIfToken("read:statuses"), async (c) => {
    const target = await account(c.req.param("id"));
    const page = readPage(c);
    const filters = readQuery(c, accountStatusesQuery.passthrough());
    const viewer = c.var.auth?.account ?? null;
    // The viewer's filters come beside the relationship, not after the page.
    const [rels, viewerFilters] = await Promise.all([
      viewer ? relationships(db, viewer.id, [target.id]) : [],
      ViewerFilters.load(db, viewer?.id, "account"),
    ]);
    // As Mastodon: a viewer the account blocked (or whose domain it blocked) sees none of it.
    if (rels[0]?.blockedBy) return c.json([]);
    const rows = await accountStatuses(
      db,
      target.id,
      page,
      viewer?.id === target.id || Boolean(rels[0]?.following),
      {
        pinned: filters.pinned,
        excludeReplies: filters.exclude_replies,
        excludeReblogs: filters.exclude_reblogs,
        onlyMedia: filters.only_media,
        tagged: filters.tagged || undefined,
      },
    );
    setLinkHeader(
      c,
      rows.map((s) => s.id),
      config.publicUrl,
    );
    const shown = await serializeStatuses(db, rows, config.publicUrl, viewer?.id);
    return c.json(viewerFilters.apply(shown));
  });

  app.post("/:id/follow", requireScope("write:follows"), async (c) => {
    const me = currentAccount(c);
    const body = await readBody(c, followBody);
    await followAccount(db, me, await account(c.req.param("id")), {
      showReblogs: body.reblogs,
      notify: body.notify,
      languages: body.languages,
    });
    const [facts] = await relationships(db, me.id, [c.req.param("id")]);
    return c.json(serializeRelationship(facts));
  });

  app.post("/:id/unfollow", requireScope("write:follows"), async (c) => {
    const me = currentAccount(c);
    await unfollowAccount(db, me, await account(c.req.param("id")));
    const [facts] = await relationships(db, me.id, [c.req.param("id")]);
    return c.json(serializeRelationship(facts));
  });

  for (const direction of ["followers", "following"] as const) {
    app.get(`/:id/${direction}`, scopeIfToken("read:accounts"), async (c) => {
      const target = await account(c.req.param("id"));
      return followListPage(c, deps, target.id, direction);
    });
  }

  return app;
}

/** A known account by handle, else (for `user@other.host`) a WebFinger lookup. */
async function lookup(deps: AppDeps, acct: string, mayResolve: boolean) {
  const handle = acct.replace(/^@/, "");
  if (!/^[^@\s]+(@[^@\s/]+)?$/.test(handle))
    throw new AppError(400, "acct must look like user or user@host");
  const known = await findPublicAccountByAcct(deps.db, handle, deps.config.host);
  if (known) return known;
  const [, domain] = handle.split("@");
  if (!domain || domain.toLowerCase() === deps.config.host.toLowerCase()) return undefined;
  if (!mayResolve) return undefined;
  return (await resolveRemoteAccount(deps.federation, deps, handle)) ?? undefined;
}
