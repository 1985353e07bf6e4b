/**
 * `/studio/scheduled`: the acting account's scheduled posts, their time changed or cancelled
 * through the scheduled-statuses service (the API's rules: at least five minutes ahead).
 */
import { type Context, Hono } from "hono";
import { z } from "zod";
import { readBody } from "../../api/mastodon/body.ts";
import type { AppDeps } from "../../deps.ts";
import { AppError } from "../../lib/errors.ts";
import { escapeHtml } from "../../lib/html.ts";
import { isId } from "../../lib/ids.ts";
import {
  cancelScheduledStatus,
  listScheduledStatuses,
  rescheduleStatus,
} from "../../services/scheduled/scheduled.ts";
import { csrfField, notice } from "../form-page.ts";
import { csrfOk } from "../session.ts";
import { recordStudioAction } from "./audit.ts";
import { assertMayPost, fromUtcMinutes, postButton, studioPage, utcMinutes } from "./layout.ts";

const PAGE = 100;
const timeForm = z.object({
  csrf_token: z.string().max(200).optional(),
  scheduled_at: z.string().max(40).optional(),
});
const csrfOnly = z.object({ csrf_token: z.string().max(200).optional() });

export const excerpt = (text: string, max = 120) =>
  text.length > max ? `${text.slice(0, max - 1)}…` : text;

export function scheduledPages(deps: AppDeps): Hono {
  const { db } = deps;
  const router = new Hono();

  const list = async (c: Context, message?: string, ok = false, status = 200) => {
    const session = c.get("webSession")!;
    const rows = await listScheduledStatuses(db, session.acting.account.id, { limit: PAGE });
    rows.sort((a, b) => a.scheduledAt.getTime() - b.scheduledAt.getTime());
    const items = rows
      .map(
        (
          s,
        ) => `<tr data-scheduled="${s.id}"><td>${escapeHtml(utcMinutes(s.scheduledAt).replace("T", " "))} UTC</td>
<td>${escapeHtml(excerpt(s.params.status ?? ""))}</td><td>${s.media.length}</td>
<td><form method="post" action="/studio/scheduled/${s.id}" style="display:inline">${csrfField(session.csrfToken)}<input type="datetime-local" name="scheduled_at" aria-label="New time (UTC)" value="${utcMinutes(s.scheduledAt)}"> <button type="submit">Change time</button></form>
${postButton(`/studio/scheduled/${s.id}/cancel`, "Cancel", session.csrfToken)}</td></tr>`,
      )
      .join("\n");
    const body = `${notice(message, ok ? "ok" : "error")}<div class="card">${rows.length ? `<table><thead><tr><th>Time</th><th>Text</th><th>Media</th><th></th></tr></thead><tbody>${items}</tbody></table>` : "<p>Nothing is scheduled.</p>"}</div>`;
    return studioPage(c, deps, { title: "Scheduled posts", body }, status);
  };

  const idOf = (c: Context) => {
    const id = c.req.param("id") ?? "";
    if (!isId(id)) throw new AppError(404, "Record not found");
    return id;
  };

  router.get("/studio/scheduled", (c) => {
    assertMayPost(c);
    return list(c);
  });

  router.post("/studio/scheduled/:id", async (c) => {
    const input = await readBody(c, timeForm);
    if (!csrfOk(c, deps, input.csrf_token)) throw new AppError(403, "Invalid CSRF token");
    assertMayPost(c);
    const at = fromUtcMinutes(input.scheduled_at ?? "");
    try {
      if (!at) throw new AppError(422, "Validation failed: choose a time");
      const id = idOf(c);
      await rescheduleStatus(db, c.get("webSession")!.acting.account.id, id, at);
      await recordStudioAction(db, c.get("webSession")!, "scheduled.update", {
        scheduledStatusId: id,
      });
    } catch (err) {
      if (!(err instanceof AppError) || err.status !== 422) throw err;
      return list(c, err.message, false, 422);
    }
    return list(c, "The time was changed.", true);
  });

  router.post("/studio/scheduled/:id/cancel", async (c) => {
    const input = await readBody(c, csrfOnly);
    if (!csrfOk(c, deps, input.csrf_token)) throw new AppError(403, "Invalid CSRF token");
    assertMayPost(c);
    const id = idOf(c);
    await cancelScheduledStatus(db, c.get("webSession")!.acting.account.id, id);
    await recordStudioAction(db, c.get("webSession")!, "scheduled.cancel", {
      scheduledStatusId: id,
    });
    return c.redirect("/studio/scheduled", 303);
  });

  return router;
}
