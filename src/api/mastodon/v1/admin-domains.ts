/**
 * Mastodon's admin API for server-wide domain rules: `/api/v1/admin/domain_blocks` and
 * `/api/v1/admin/domain_allows` (moderators and admins, `admin:read` / `admin:write` or their
 * granular scopes). Changes go through the same services as `tern domain`, so a suspension
 * queues the same purge and the inbox refuses the domain before any signature check.
 */
import { Hono } from "hono";
import { z } from "zod";
import { domainBlockSeverities } from "../../../db/schema/index.ts";
import type { AppDeps } from "../../../deps.ts";
import { notFound } from "../../../lib/errors.ts";
import {
  createDomainAllow,
  createDomainBlock,
  deleteDomainAllow,
  deleteDomainBlock,
  findDomainAllow,
  findDomainBlock,
  listDomainAllowsPage,
  listDomainBlocksPage,
  updateDomainBlock,
} from "../../../services/safety/admin-domains.ts";
import { readBody } from "../body.ts";
import { serializeAdminDomainAllow, serializeAdminDomainBlock } from "../entities/admin-domain.ts";
import type { ApiEnv } from "../env.ts";
import { flag } from "../filter-params.ts";
import { requireAdminScope } from "../middleware/admin.ts";
import { currentAccount } from "../middleware/auth.ts";
import { readPage, setLinkHeader } from "../paging.ts";

/** `admin:read:domain_blocks` and the like (the umbrella `admin:read` covers them), staff only. */
function adminOnly(deps: AppDeps, umbrella: "admin:read" | "admin:write", resource: string) {
  return requireAdminScope(deps, `${umbrella}:${resource}`);
}

// Mastodon's forms send empty comments; they mean none.
const comment = z
  .string()
  .max(1000)
  .nullish()
  .transform((v) => (v ? v : null));

const blockSettings = {
  severity: z.enum(domainBlockSeverities).optional(),
  reject_media: flag.optional(),
  reject_reports: flag.optional(),
  private_comment: comment.optional(),
  public_comment: comment.optional(),
  obfuscate: flag.optional(),
};
const createBlockBody = z.object({ domain: z.string().min(1).max(253), ...blockSettings }).strict();
const updateBlockBody = z.object(blockSettings).strict();
const allowBody = z.object({ domain: z.string().min(1).max(253) }).strict();

const settingsOf = (b: z.infer<typeof updateBlockBody>) => ({
  severity: b.severity,
  rejectMedia: b.reject_media,
  rejectReports: b.reject_reports,
  privateComment: b.private_comment,
  publicComment: b.public_comment,
  obfuscate: b.obfuscate,
});

/** Mastodon's pages of admin lists: newest first, 100 by default, at most 200. */
const LIMIT = 100;

export function adminDomainBlocksRouter(deps: AppDeps): Hono<ApiEnv> {
  const { db, config } = deps;
  const app = new Hono<ApiEnv>();
  const read = adminOnly(deps, "admin:read", "domain_blocks");
  const write = adminOnly(deps, "admin:write", "domain_blocks");
  app.get("/", read, async (c) => {
    const rows = await listDomainBlocksPage(db, readPage(c, 2 * LIMIT, LIMIT));
    setLinkHeader(
      c,
      rows.map((r) => r.id),
      config.publicUrl,
    );
    return c.json(rows.map(serializeAdminDomainBlock));
  });
  app.get("/:id", read, async (c) => {
    const row = await findDomainBlock(db, c.req.param("id"));
    if (!row) throw notFound();
    return c.json(serializeAdminDomainBlock(row));
  });
  app.post("/", write, async (c) => {
    const body = await readBody(c, createBlockBody);
    const result = await createDomainBlock(
      db,
      { domain: body.domain, ...settingsOf(body) },
      currentAccount(c).id,
    );
    if ("existing" in result) {
      const existing = serializeAdminDomainBlock(result.existing);
      return c.json(
        {
          error: `There is already a stricter or equal block for ${existing.domain}`,
          existing_domain_block: existing,
        },
        422,
      );
    }
    return c.json(serializeAdminDomainBlock(result.created));
  });
  app.put("/:id", write, async (c) => {
    const body = await readBody(c, updateBlockBody);
    const row = await updateDomainBlock(
      db,
      c.req.param("id"),
      settingsOf(body),
      currentAccount(c).id,
    );
    if (!row) throw notFound();
    return c.json(serializeAdminDomainBlock(row));
  });
  app.delete("/:id", write, async (c) => {
    if (!(await deleteDomainBlock(db, c.req.param("id"), currentAccount(c).id))) throw notFound();
    return c.json({});
  });
  return app;
}

export function adminDomainAllowsRouter(deps: AppDeps): Hono<ApiEnv> {
  const { db, config } = deps;
  const app = new Hono<ApiEnv>();
  const read = adminOnly(deps, "admin:read", "domain_allows");
  const write = adminOnly(deps, "admin:write", "domain_allows");
  app.get("/", read, async (c) => {
    const rows = await listDomainAllowsPage(db, readPage(c, 2 * LIMIT, LIMIT));
    setLinkHeader(
      c,
      rows.map((r) => r.id),
      config.publicUrl,
    );
    return c.json(rows.map(serializeAdminDomainAllow));
  });
  app.get("/:id", read, async (c) => {
    const row = await findDomainAllow(db, c.req.param("id"));
    if (!row) throw notFound();
    return c.json(serializeAdminDomainAllow(row));
  });
  app.post("/", write, async (c) => {
    const { domain } = await readBody(c, allowBody);
    return c.json(
      serializeAdminDomainAllow(await createDomainAllow(db, domain, currentAccount(c).id)),
    );
  });
  app.delete("/:id", write, async (c) => {
    if (!(await deleteDomainAllow(db, c.req.param("id"), currentAccount(c).id))) throw notFound();
    return c.json({});
  });
  return app;
}
