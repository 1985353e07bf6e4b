/**
 * `/settings/password` and `/settings/sessions`: change the password (every other browser is
 * signed out and every app token revoked), see which browsers and apps can act for the account,
 * and revoke any of them. Every POST checks the session's CSRF token.
 */
import { type Context, Hono } from "hono";
import { z } from "zod";
import { readBody } from "../../api/mastodon/body.ts";
import type { AppDeps } from "../../deps.ts";
import { AppError } from "../../lib/errors.ts";
import { escapeHtml } from "../../lib/html.ts";
import { isId } from "../../lib/ids.ts";
import { changePassword } from "../../services/accounts/password.ts";
import { MAX_PASSWORD, MIN_PASSWORD } from "../../services/accounts/sign-up.ts";
import {
  listAccountTokens,
  listWebSessions,
  revokeTokenOf,
  revokeWebSessionOf,
} from "../../services/sessions/account-sessions.ts";
import { csrfField, notice } from "../form-page.ts";
import { clearSessionCookie, csrfOk } from "../session.ts";
import { actionButton, settingsPage, when } from "./layout.ts";

const passwordForm = z.object({
  current_password: z.string().max(2000).optional(),
  password: z.string().max(2000).optional(),
  password_confirmation: z.string().max(2000).optional(),
  csrf_token: z.string().max(200).optional(),
});
const csrfOnly = z.object({ csrf_token: z.string().max(200).optional() });

export function securityPages(deps: AppDeps): Hono {
  const { db, config } = deps;
  const router = new Hono();

  const passwordPage = (c: Context, message?: string, ok = false, status = 200) => {
    const session = c.get("webSession")!;
    const body = `<div class="card">${notice(message, ok ? "ok" : "error")}
<p>Changing your password signs out every other browser and revokes every app's access: you sign in to your apps again afterwards.</p>
<form method="post" action="/settings/password">${csrfField(session.csrfToken)}
<p><label>Current password<br><input name="current_password" type="password" autocomplete="current-password" required></label></p>
<p><label>New password<br><input name="password" type="password" autocomplete="new-password" required minlength="${MIN_PASSWORD}" maxlength="${MAX_PASSWORD}"></label></p>
<p><label>New password again<br><input name="password_confirmation" type="password" autocomplete="new-password" required></label></p>
<p><button type="submit">Change password</button></p>
</form></div>`;
    return settingsPage(c, deps, { title: "Password", body }, status);
  };

  router.get("/settings/password", (c) => passwordPage(c));

  router.post("/settings/password", async (c) => {
    const input = await readBody(c, passwordForm);
    if (!csrfOk(c, deps, input.csrf_token))
      return passwordPage(c, "This form expired or was sent from another site.", false, 403);
    if ((input.password ?? "") !== input.password_confirmation)
      return passwordPage(c, "The two new passwords are not the same.", false, 422);
    const session = c.get("webSession")!;
    try {
      const { revokedTokens } = await changePassword(db, config.rateLimits, session.account.id, {
        current: input.current_password ?? "",
        next: input.password ?? "",
        keepSessionId: session.id,
      });
      const apps = revokedTokens === 1 ? "1 app token" : `${revokedTokens} app tokens`;
      return passwordPage(
        c,
        `Your password was changed. Other browsers were signed out and ${apps} revoked.`,
        true,
      );
    } catch (err) {
      if (!(err instanceof AppError) || err.status >= 500) throw err;
      return passwordPage(c, err.message, false, err.status);
    }
  });

  router.get("/settings/sessions", async (c) => {
    const session = c.get("webSession")!;
    const [browsers, tokens] = await Promise.all([
      listWebSessions(db, session.account.id),
      listAccountTokens(db, session.account.id),
    ]);
    const csrf = session.csrfToken;
    const browserRows = browsers
      .map(
        (
          s,
        ) => `<tr><td>${escapeHtml(s.userAgent ?? "Unknown browser")}${s.id === session.id ? " <strong>(this browser)</strong>" : ""}</td>
<td>${escapeHtml(s.ip ?? "")}</td><td>${when(s.createdAt)}</td><td>${when(s.lastUsedAt)}</td>
<td>${actionButton(`/settings/sessions/${s.id}/revoke`, s.id === session.id ? "Sign out" : "Revoke", csrf)}</td></tr>`,
      )
      .join("\n");
    const tokenRows = tokens
      .map(
        (
          t,
        ) => `<tr><td>${escapeHtml(t.appName ?? "Unknown app")}</td><td>${escapeHtml(t.scopes)}</td>
<td>${when(t.createdAt)}</td><td>${actionButton(`/settings/tokens/${t.id}/revoke`, "Revoke", csrf)}</td></tr>`,
      )
      .join("\n");
    const body = `<div class="card"><h2>Browsers</h2>
<table><thead><tr><th>Browser</th><th>Address</th><th>Signed in</th><th>Last used</th><th></th></tr></thead>
<tbody>${browserRows}</tbody></table></div>
<div class="card"><h2>Authorized apps</h2>
${tokens.length ? `<table><thead><tr><th>App</th><th>Access</th><th>Authorized</th><th></th></tr></thead><tbody>${tokenRows}</tbody></table>` : "<p>No app can use your account.</p>"}</div>`;
    return settingsPage(c, deps, { title: "Sessions and apps", body });
  });

  /** A revoke button's POST: CSRF checked, the id one of the account's own. */
  const revoking = (
    path: string,
    revoke: (accountId: string, id: string) => Promise<void>,
    after: (c: Context, id: string) => Response,
  ) =>
    router.post(path, async (c) => {
      const input = await readBody(c, csrfOnly);
      const id = c.req.param("id") ?? "";
      if (!csrfOk(c, deps, input.csrf_token)) throw new AppError(403, "Invalid CSRF token");
      if (!isId(id)) throw new AppError(404, "Record not found");
      await revoke(c.get("webSession")!.account.id, id);
      return after(c, id);
    });
  revoking(
    "/settings/sessions/:id/revoke",
    (accountId, id) => revokeWebSessionOf(db, accountId, id),
    (c, id) => {
      // Signing this very browser out.
      if (id !== c.get("webSession")!.id) return c.redirect("/settings/sessions", 302);
      clearSessionCookie(c, deps);
      return c.redirect("/auth/sign_in", 302);
    },
  );
  revoking(
    "/settings/tokens/:id/revoke",
    (accountId, id) => revokeTokenOf(db, accountId, id),
    (c) => c.redirect("/settings/sessions", 302),
  );

  return router;
}
