/**
 * `/settings/invites`: the invite links a person made, how often each was used, and forms to make
 * a new one or revoke one. Every POST checks the session's CSRF token.
 */
import { type Context, Hono } from "hono";
import { z } from "zod";
import { readBody } from "../../api/mastodon/body.ts";
import type { AppDeps } from "../../deps.ts";
import { AppError } from "../../lib/errors.ts";
import { escapeHtml } from "../../lib/html.ts";
import { isId } from "../../lib/ids.ts";
import {
  createInvite,
  inviteLive,
  inviteUrl,
  listInvites,
  revokeInvite,
} from "../../services/accounts/invites.ts";
import { csrfField, notice } from "../form-page.ts";
import { csrfOk } from "../session.ts";
import { actionButton, settingsPage, when } from "./layout.ts";

const USES = [1, 5, 10, 25, 50, 100];
const DAYS = [1, 7, 30];
const inviteForm = z.object({
  max_uses: z.string().max(10).optional(),
  expires_days: z.string().max(10).optional(),
  autofollow: z.string().max(10).optional(),
  csrf_token: z.string().max(200).optional(),
});
const csrfOnly = z.object({ csrf_token: z.string().max(200).optional() });

export function invitePages(deps: AppDeps): Hono {
  const { db, config } = deps;
  const router = new Hono();

  const listPage = async (c: Context, message?: string, ok = false, status = 200) => {
    const session = c.get("webSession")!;
    const invites = await listInvites(db, session.account.id);
    const rows = invites
      .map((i) => {
        const live = inviteLive(i);
        const url = inviteUrl(config.publicUrl, i);
        return `<tr><td>${live ? `<a href="${escapeHtml(url)}">${escapeHtml(url)}</a>` : `<s>${escapeHtml(url)}</s>`}</td>
<td>${i.uses}${i.maxUses === null ? "" : ` / ${i.maxUses}`}</td><td>${i.expiresAt ? when(i.expiresAt) : "never"}</td>
<td>${live ? actionButton(`/settings/invites/${i.id}/revoke`, "Revoke", session.csrfToken) : i.revokedAt ? "revoked" : "over"}</td></tr>`;
      })
      .join("\n");
    const option = (v: number, label: string) => `<option value="${v}">${label}</option>`;
    const body = `<div class="card">${notice(message, ok ? "ok" : "error")}
<form method="post" action="/settings/invites">${csrfField(session.csrfToken)}
<p><label>Uses <select name="max_uses"><option value="">no limit</option>${USES.map((u) => option(u, String(u))).join("")}</select></label>
<label>Expires after <select name="expires_days"><option value="">never</option>${DAYS.map((d) => option(d, d === 1 ? "1 day" : `${d} days`)).join("")}</select></label></p>
<p><label><input type="checkbox" name="autofollow" value="1"> Whoever joins follows you</label></p>
<p><button type="submit">Make an invite link</button></p>
</form></div>
<div class="card">${invites.length ? `<table><thead><tr><th>Link</th><th>Used</th><th>Expires</th><th></th></tr></thead><tbody>${rows}</tbody></table>` : "<p>You have made no invites yet.</p>"}</div>`;
    return settingsPage(c, deps, { title: "Invites", body }, status);
  };

  router.get("/settings/invites", (c) => listPage(c));

  router.post("/settings/invites", async (c) => {
    const input = await readBody(c, inviteForm);
    if (!csrfOk(c, deps, input.csrf_token))
      return listPage(c, "This form expired or was sent from another site.", false, 403);
    const whole = (v: string | undefined) => (v ? Number(v) : null);
    try {
      const invite = await createInvite(db, c.get("webSession")!.account.id, {
        maxUses: whole(input.max_uses),
        expiresDays: whole(input.expires_days),
        autofollow: Boolean(input.autofollow),
      });
      return listPage(c, `New invite link: ${inviteUrl(config.publicUrl, invite)}`, true);
    } catch (err) {
      if (!(err instanceof AppError) || err.status !== 422) throw err;
      return listPage(c, err.message, false, 422);
    }
  });

  router.post("/settings/invites/:id/revoke", async (c) => {
    const input = await readBody(c, csrfOnly);
    const id = c.req.param("id");
    if (!csrfOk(c, deps, input.csrf_token)) throw new AppError(403, "Invalid CSRF token");
    if (!isId(id)) throw new AppError(404, "Record not found");
    await revokeInvite(db, c.get("webSession")!.account.id, id);
    return c.redirect("/settings/invites", 302);
  });

  return router;
}
