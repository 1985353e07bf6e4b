/**
 * `/studio/accounts`: every account the login may act as (its own, then its teams' with the
 * role), which one the studio acts as now, a *Switch* per account (`POST /studio/switch`) and a
 * form to create a managed (brand, project) account the login then owns.
 */
import { type Context, Hono } from "hono";
import { z } from "zod";
import { readBody } from "../../api/mastodon/body.ts";
import type { AppDeps } from "../../deps.ts";
import { AppError, notFound } from "../../lib/errors.ts";
import { escapeHtml } from "../../lib/html.ts";
import { isId } from "../../lib/ids.ts";
import { switchActing } from "../../services/sessions/web-sessions.ts";
import { accountsForLogin, mayPost } from "../../services/teams/access.ts";
import { createManagedAccount } from "../../services/teams/members.ts";
import { csrfField, notice } from "../form-page.ts";
import { csrfOk } from "../session.ts";
import { studioPage } from "./layout.ts";

const switchForm = z.object({
  csrf_token: z.string().max(200).optional(),
  account_id: z.string().max(40).optional(),
});
const createForm = z.object({
  csrf_token: z.string().max(200).optional(),
  username: z.string().max(100).optional(),
  display_name: z.string().max(100).optional(),
});

/** What each role may do, as the accounts and team pages tell it. */
export const ROLE_TEXT: Record<string, string> = {
  self: "your own account",
  owner: "posts, schedules, drafts, analytics, members and ownership",
  editor: "posts, schedules, drafts and analytics",
  analyst: "analytics only",
};

export function accountPages(deps: AppDeps): Hono {
  const { db, config } = deps;
  const router = new Hono();

  const list = async (c: Context, message?: string, status = 200, typed = "") => {
    const session = c.get("webSession")!;
    const actable = await accountsForLogin(db, session.account);
    const rows = actable
      .map(({ account, role }) => {
        const acting = account.id === session.acting.account.id;
        const action = acting
          ? "<strong>Acting now</strong>"
          : `<form method="post" action="/studio/switch" style="display:inline">${csrfField(session.csrfToken)}<input type="hidden" name="account_id" value="${account.id}"><button type="submit" aria-label="Switch to @${escapeHtml(account.username)}">Switch</button></form>`;
        return `<tr data-account="${escapeHtml(account.username)}"${acting ? ' aria-current="true"' : ""}><td>@${escapeHtml(account.username)}${account.displayName ? ` (${escapeHtml(account.displayName)})` : ""}</td>
<td>${escapeHtml(role)}<br><small>${escapeHtml(ROLE_TEXT[role] ?? "")}</small></td>
<td>${action} <a href="/studio/accounts/${account.id}">Team and log</a></td></tr>`;
      })
      .join("\n");
    const body = `${notice(message)}<div class="card"><table><thead><tr><th>Account</th><th>Your role</th><th></th></tr></thead><tbody>${rows}</tbody></table></div>
<form class="card" method="post" action="/studio/accounts">
<h2>Create an account you manage</h2>
<p>A brand or project account with its own profile and followers. Nobody signs in as it: you are its owner and can add members to the team.</p>
${csrfField(session.csrfToken)}
<label>Username <input name="username" required maxlength="30" pattern="[A-Za-z0-9_]+" value="${escapeHtml(typed)}"></label>
<label>Display name <input name="display_name" maxlength="100"></label>
<button type="submit">Create account</button>
</form>`;
    return studioPage(c, deps, { title: "Accounts", body }, status);
  };

  router.get("/studio/accounts", (c) => list(c));

  router.post("/studio/switch", async (c) => {
    const input = await readBody(c, switchForm);
    if (!csrfOk(c, deps, input.csrf_token)) throw new AppError(403, "Invalid CSRF token");
    const id = input.account_id ?? "";
    if (!isId(id)) throw notFound("There is no such account here");
    const acting = await switchActing(db, c.get("webSession")!, id);
    // An analyst has no composer: the studio page it may use is analytics.
    return c.redirect(mayPost(acting.role) ? "/studio" : "/studio/analytics", 303);
  });

  router.post("/studio/accounts", async (c) => {
    const input = await readBody(c, createForm);
    if (!csrfOk(c, deps, input.csrf_token)) throw new AppError(403, "Invalid CSRF token");
    const username = (input.username ?? "").trim();
    try {
      const made = await createManagedAccount(
        db,
        config.publicUrl,
        c.get("webSession")!.account,
        username,
        (input.display_name ?? "").trim(),
      );
      return c.redirect(`/studio/accounts/${made.id}`, 303);
    } catch (err) {
      if (!(err instanceof AppError) || err.status !== 422) throw err;
      return list(c, err.message, 422, username);
    }
  });

  return router;
}
