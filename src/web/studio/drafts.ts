/**
 * `/studio/drafts`: the acting account's drafts (the API's drafts too), each opened in the
 * composer (`/studio?draft=ID`, where "Save draft" updates it) or deleted.
 */
import { type Context, Hono } from "hono";
import { z } from "zod";
import { readBody } from "../../api/mastodon/body.ts";
import type { AppDeps } from "../../deps.ts";
import { AppError } from "../../lib/errors.ts";
import { escapeHtml } from "../../lib/html.ts";
import { isId } from "../../lib/ids.ts";
import { deleteDraft, listDrafts } from "../../services/drafts/drafts.ts";
import { csrfOk } from "../session.ts";
import { recordStudioAction } from "./audit.ts";
import { assertMayPost, postButton, studioPage, utcMinutes } from "./layout.ts";
import { excerpt } from "./scheduled.ts";

const PAGE = 100;
const csrfOnly = z.object({ csrf_token: z.string().max(200).optional() });

export function draftPages(deps: AppDeps): Hono {
  const { db } = deps;
  const router = new Hono();

  router.get("/studio/drafts", async (c: Context) => {
    assertMayPost(c);
    const session = c.get("webSession")!;
    const drafts = await listDrafts(db, session.acting.account.id, { limit: PAGE });
    const items = drafts
      .map((d) => {
        const text = typeof d.params.status === "string" ? d.params.status : "";
        return `<tr data-draft="${d.id}"><td>${escapeHtml(utcMinutes(d.updatedAt).replace("T", " "))} UTC</td>
<td>${escapeHtml(excerpt(text) || "(empty)")}</td><td>${d.media.length}</td>
<td><a href="/studio?draft=${d.id}">Open</a> ${postButton(`/studio/drafts/${d.id}/delete`, "Delete", session.csrfToken)}</td></tr>`;
      })
      .join("\n");
    const body = `<div class="card">${drafts.length ? `<table><thead><tr><th>Saved</th><th>Text</th><th>Media</th><th></th></tr></thead><tbody>${items}</tbody></table>` : "<p>No drafts.</p>"}</div>`;
    return studioPage(c, deps, { title: "Drafts", body });
  });

  router.post("/studio/drafts/:id/delete", async (c) => {
    const input = await readBody(c, csrfOnly);
    if (!csrfOk(c, deps, input.csrf_token)) throw new AppError(403, "Invalid CSRF token");
    assertMayPost(c);
    const id = c.req.param("id");
    if (!isId(id)) throw new AppError(404, "Record not found");
    await deleteDraft(db, c.get("webSession")!.acting.account.id, id);
    await recordStudioAction(db, c.get("webSession")!, "draft.delete", { draftId: id });
    return c.redirect("/studio/drafts", 303);
  });

  return router;
}
