/**
 * Tern's own endpoints for Mastodon-format CSV files (Mastodon has these only as settings pages):
 * POST /api/v1/import, GET /api/v1/tern/imports/:id, GET /api/v1/tern/exports/<type>.csv.
 */
import { Hono } from "hono";
import type { ImportType } from "../../../db/schema/index.ts";
import type { AppDeps } from "../../../deps.ts";
import { AppError, notFound } from "../../../lib/errors.ts";
import { isId } from "../../../lib/ids.ts";
import { EXPORT_FILE_NAMES, exportCsv } from "../../../services/imports/export.ts";
import {
  createImport,
  getImport,
  type Import,
  importTypeNamed,
  MAX_IMPORT_BYTES,
} from "../../../services/imports/import.ts";
import { csvResponse } from "../csv-response.ts";
import type { ApiEnv } from "../env.ts";
import { currentAccount, requireScope, requireToken } from "../middleware/auth.ts";
import { readUpload } from "../upload.ts";

/** The scope each type needs, as Mastodon's matching API routes ask for them. */
const SCOPES: Record<ImportType, { read: string; write: string }> = {
  following: { read: "read:follows", write: "write:follows" },
  blocks: { read: "read:blocks", write: "write:blocks" },
  mutes: { read: "read:mutes", write: "write:mutes" },
  domain_blocks: { read: "read:blocks", write: "write:blocks" },
  lists: { read: "read:lists", write: "write:lists" },
  bookmarks: { read: "read:bookmarks", write: "write:bookmarks" },
};

/** The import as the API shows it (its rows stay on the server). */
export function serializeImport(row: Import) {
  return {
    id: row.id,
    type: row.type,
    mode: row.mode,
    state: row.state,
    total: row.total,
    processed: row.processed,
    failed: row.failed,
    created_at: row.createdAt.toISOString(),
    finished_at: row.finishedAt?.toISOString() ?? null,
  };
}

/** Checks a scope known only once the request is read (it depends on the type). */
async function checkScope(c: Parameters<ReturnType<typeof requireScope>>[0], scope: string) {
  await requireScope(scope)(c, async () => {});
}

function typeOf(name: unknown): ImportType {
  const type = typeof name === "string" ? importTypeNamed(name) : undefined;
  if (!type)
    throw new AppError(
      422,
      "Validation failed: type must be one of following, blocks, mutes, domain_blocks, lists, bookmarks",
    );
  return type;
}

export function importsRouter(deps: AppDeps): Hono<ApiEnv> {
  const { db } = deps;
  const app = new Hono<ApiEnv>();
  app.post("/", requireToken(), async (c) => {
    const { fields, files } = await readUpload(c, MAX_IMPORT_BYTES);
    const type = typeOf(fields.type);
    await checkScope(c, SCOPES[type].write);
    const unknown = Object.keys(fields).find((k) => k !== "type" && k !== "mode");
    if (unknown) throw new AppError(422, `Validation failed: ${unknown} is not a parameter`);
    const mode = fields.mode ?? "merge";
    if (mode !== "merge" && mode !== "overwrite")
      throw new AppError(422, "Validation failed: mode must be merge or overwrite");
    const data = files.get("data");
    if (!data) throw new AppError(422, "Validation failed: data must be a CSV file");
    const row = await createImport(db, currentAccount(c), { type, mode, data });
    return c.json(serializeImport(row));
  });
  return app;
}

/** /api/v1/tern/imports/:id (progress) and /api/v1/tern/exports/<type>.csv. */
export function ternImportsRouter(deps: AppDeps): Hono<ApiEnv> {
  const { db, config } = deps;
  const app = new Hono<ApiEnv>();
  app.get("/imports/:id", requireToken(), async (c) => {
    const id = c.req.param("id");
    if (!isId(id)) throw notFound();
    const row = await getImport(db, currentAccount(c).id, id);
    await checkScope(c, SCOPES[row.type].read);
    return c.json(serializeImport(row));
  });
  app.get("/exports/:file{[a-z_]+\\.csv}", requireToken(), async (c) => {
    const type = importTypeNamed(c.req.param("file").slice(0, -4));
    if (!type) throw notFound();
    await checkScope(c, SCOPES[type].read);
    const me = currentAccount(c);
    return csvResponse(c, exportCsv(db, me.id, type, config.host), EXPORT_FILE_NAMES[type]);
  });
  return app;
}
