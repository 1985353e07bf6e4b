/**
 * The signed-in "your data" pages, as Mastodon's: `/settings/export` (links to each CSV file,
 * `/settings/export/<type>.csv`) and `/settings/import` (upload a file in Mastodon's formats; it
 * is worked through by a job, the page shows how far it got).
 */
import { type Context, Hono } from "hono";
import { csvResponse } from "../api/mastodon/csv-response.ts";
import { readUpload } from "../api/mastodon/upload.ts";
import { importTypes } from "../db/schema/index.ts";
import type { AppDeps } from "../deps.ts";
import { AppError } from "../lib/errors.ts";
import { escapeHtml } from "../lib/html.ts";
import { isId } from "../lib/ids.ts";
import { EXPORT_FILE_NAMES, exportCsv } from "../services/imports/export.ts";
import {
  createImport,
  getImport,
  type Import,
  importTypeNamed,
  MAX_IMPORT_BYTES,
} from "../services/imports/import.ts";
import { csrfField, notice, sendFormPage } from "./form-page.ts";
import { csrfOk, requireSession } from "./session.ts";

const LABELS: Record<(typeof importTypes)[number], string> = {
  following: "Follows",
  blocks: "Blocked accounts",
  mutes: "Muted accounts",
  domain_blocks: "Blocked domains",
  lists: "Lists",
  bookmarks: "Bookmarks",
};

export function settingsDataPages(deps: AppDeps): Hono {
  const { db, config } = deps;
  const host = config.host;
  const app = new Hono();
  app.use("/settings/export", requireSession(deps));
  app.use("/settings/export/*", requireSession(deps));
  app.use("/settings/import", requireSession(deps));
  app.use("/settings/import/*", requireSession(deps));
  const me = (c: Context) => c.get("webSession")!.account;

  app.get("/settings/export", (c) => {
    const links = importTypes
      .map(
        (t) =>
          `<li><a href="/settings/export/${t}.csv" download="${EXPORT_FILE_NAMES[t]}">${LABELS[t]}</a> (CSV)</li>`,
      )
      .join("");
    const body = `<div class="card"><h1>Export your data</h1>
<p>Files in Mastodon's formats: they import here, on Mastodon and on other servers that read them.</p>
<ul>${links}</ul><p><a href="/settings/import">Import a file</a></p></div>`;
    return sendFormPage(c, { title: "Export", host, body });
  });

  app.get("/settings/export/:file{[a-z_]+\\.csv}", (c) => {
    const type = importTypeNamed(c.req.param("file").slice(0, -4));
    if (!type) return c.text("Not found", 404);
    return csvResponse(c, exportCsv(db, me(c).id, type, host), EXPORT_FILE_NAMES[type]);
  });

  const form = (csrf: string, message?: string, kind: "error" | "ok" = "error") => {
    const options = importTypes.map((t) => `<option value="${t}">${LABELS[t]}</option>`).join("");
    return `<div class="card"><h1>Import</h1>${notice(message, kind)}
<form method="post" action="/settings/import" enctype="multipart/form-data">${csrfField(csrf)}
<p><label>What the file holds<br><select name="type">${options}</select></label></p>
<fieldset><legend>Mode</legend>
<label><input type="radio" name="mode" value="merge" checked> Merge: keep what you have and add the file's</label><br>
<label><input type="radio" name="mode" value="overwrite"> Overwrite: what is not in the file goes (unfollowed, unblocked…)</label></fieldset>
<p><label>CSV file (at most ${MAX_IMPORT_BYTES / 1024} KiB)<br><input type="file" name="data" accept=".csv,text/csv" required></label></p>
<p><button type="submit">Upload</button></p></form>
<p><a href="/settings/export">Export your data</a></p></div>`;
  };

  app.get("/settings/import", (c) =>
    sendFormPage(c, { title: "Import", host, body: form(c.get("webSession")!.csrfToken) }),
  );

  app.post("/settings/import", async (c) => {
    const csrf = c.get("webSession")!.csrfToken;
    let upload: Awaited<ReturnType<typeof readUpload>>;
    try {
      upload = await readUpload(c, MAX_IMPORT_BYTES);
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      return sendFormPage(
        c,
        { title: "Import", host, body: form(csrf, error.message) },
        error.status,
      );
    }
    const { fields, files } = upload;
    if (!csrfOk(c, deps, fields.csrf_token)) throw new AppError(403, "Invalid CSRF token");
    const type = typeof fields.type === "string" ? importTypeNamed(fields.type) : undefined;
    const mode = fields.mode === "overwrite" ? "overwrite" : "merge";
    const data = files.get("data");
    try {
      if (!type) throw new AppError(422, "Choose what the file holds");
      if (!data) throw new AppError(422, "Choose a CSV file");
      const row = await createImport(db, me(c), { type, mode, data });
      return c.redirect(`/settings/import/${row.id}`, 303);
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      return sendFormPage(
        c,
        { title: "Import", host, body: form(csrf, error.message) },
        error.status,
      );
    }
  });

  app.get("/settings/import/:id", async (c) => {
    const id = c.req.param("id");
    if (!isId(id)) return c.text("Not found", 404);
    const row = await getImport(db, me(c).id, id).catch(() => null);
    if (!row) return c.text("Not found", 404);
    const body = `<div class="card"><h1>Import of ${escapeHtml(LABELS[row.type])}</h1>
${progress(row)}<p><a href="/settings/import/${row.id}">Refresh</a> · <a href="/settings/import">Import another file</a></p></div>`;
    return sendFormPage(c, { title: "Import", host, body });
  });

  return app;
}

function progress(row: Import): string {
  const state =
    row.state === "finished" ? "Finished" : row.state === "failed" ? "Failed" : "In progress";
  return `<p role="status">${state}: ${row.processed} of ${row.total} rows done (${row.mode}), ${row.failed} could not be imported.</p>`;
}
