/**
 * The pages e-mailed links open: `/auth/confirmation?token=` (confirms the address) and the
 * password reset, `/auth/password/new` (ask for a link: one answer whatever the address, limited
 * per network) and `/auth/password/edit?token=` (choose a new password; the link works once and
 * signs the account out everywhere). Without SMTP_URL the reset pages are not there (404).
 */
import { type Context, Hono } from "hono";
import { z } from "zod";
import { ipBucket } from "../api/client-ip.ts";
import { readBody } from "../api/mastodon/body.ts";
import { clientIp } from "../api/request-log.ts";
import type { AppDeps } from "../deps.ts";
import { AppError } from "../lib/errors.ts";
import { escapeHtml } from "../lib/html.ts";
import {
  confirmEmail,
  countResetRequest,
  requestPasswordReset,
  resetPassword,
  resetTokenValid,
} from "../services/accounts/email.ts";
import { MAX_PASSWORD, MIN_PASSWORD } from "../services/accounts/sign-up.ts";
import { csrfCookie } from "./csrf-cookie.ts";
import { notice, sendFormPage } from "./form-page.ts";

const requestForm = z.object({
  email: z.string().max(500).optional(),
  csrf_token: z.string().max(200).optional(),
});
const resetForm = z.object({
  token: z.string().max(200).optional(),
  password: z.string().max(2000).optional(),
  password_confirmation: z.string().max(2000).optional(),
  csrf_token: z.string().max(200).optional(),
});

/** What every reset request is told, known address or not. */
export const RESET_SENT =
  "If this address belongs to an account here, we sent it a link to choose a new password. It works for one hour.";

export function emailPages(deps: AppDeps): Hono {
  const { db, config } = deps;
  const host = config.host;
  const router = new Hono();
  const csrf = csrfCookie(config.publicUrl, "tern_form_csrf", "/");
  const page = (c: Context, title: string, body: string, status = 200) =>
    sendFormPage(c, { title, host, body: `<div class="card">${body}</div>` }, status);

  router.get("/auth/confirmation", async (c) => {
    const ok = await confirmEmail(db, c.req.query("token") ?? "");
    if (!ok)
      return page(
        c,
        "Confirmation",
        "<h1>This link does not work</h1><p>It was used already or is not valid. Sign in: if your address still needs confirming, your app can send a new link.</p>",
        404,
      );
    return page(
      c,
      "Confirmation",
      `<h1>Your e-mail address is confirmed</h1><p role="status">You can sign in now.</p><p><a href="/auth/sign_in">Sign in</a></p>`,
    );
  });

  // The reset pages exist only with SMTP: without mail there is no way to deliver a link.
  router.use("/auth/password/*", async (_c, next) => {
    if (!config.smtp) throw new AppError(404, "Not found");
    return next();
  });

  const requestPage = (c: Context, message?: string, ok = false, status = 200) =>
    page(
      c,
      "Forgot your password?",
      `<h1>Forgot your password?</h1>${notice(message, ok ? "ok" : "error")}
<form method="post" action="/auth/password/new">
<input type="hidden" name="csrf_token" value="${escapeHtml(csrf.issue(c))}">
<p><label>E-mail address<br><input name="email" type="email" autocomplete="email" required maxlength="254"></label></p>
<p><button type="submit">Send me a link</button></p>
</form>`,
      status,
    );

  router.get("/auth/password/new", (c) => requestPage(c));
  router.post("/auth/password/new", async (c) => {
    const input = await readBody(c, requestForm);
    if (!csrf.check(c, input.csrf_token))
      return requestPage(c, "This form expired or was sent from another site.", false, 403);
    const wait = await countResetRequest(db, config.rateLimits.loginIp, ipBucket(clientIp(c)));
    if (wait !== null) {
      c.header("Retry-After", String(wait));
      return requestPage(c, "Too many requests from your network; try again later.", false, 429);
    }
    await requestPasswordReset(db, config, (input.email ?? "").trim());
    return requestPage(c, RESET_SENT, true);
  });

  const resetPage = (c: Context, token: string, message?: string, status = 200) =>
    page(
      c,
      "Choose a new password",
      `<h1>Choose a new password</h1>${notice(message)}
<p>Afterwards every browser and app signed in to your account is signed out.</p>
<form method="post" action="/auth/password/edit">
<input type="hidden" name="csrf_token" value="${escapeHtml(csrf.issue(c))}">
<input type="hidden" name="token" value="${escapeHtml(token)}">
<p><label>New password<br><input name="password" type="password" autocomplete="new-password" required minlength="${MIN_PASSWORD}" maxlength="${MAX_PASSWORD}"></label></p>
<p><label>New password again<br><input name="password_confirmation" type="password" autocomplete="new-password" required></label></p>
<p><button type="submit">Set the password</button></p>
</form>`,
      status,
    );
  const deadLink = (c: Context) =>
    page(
      c,
      "Choose a new password",
      `<h1>This link does not work</h1><p>It was used already, has expired or is not valid.</p><p><a href="/auth/password/new">Ask for a new one</a></p>`,
      404,
    );

  router.get("/auth/password/edit", async (c) => {
    const token = c.req.query("token") ?? "";
    if (!(await resetTokenValid(db, token))) return deadLink(c);
    return resetPage(c, token);
  });
  router.post("/auth/password/edit", async (c) => {
    const input = await readBody(c, resetForm);
    const token = input.token ?? "";
    if (!csrf.check(c, input.csrf_token))
      return resetPage(c, token, "This form expired or was sent from another site.", 403);
    if ((input.password ?? "") !== input.password_confirmation)
      return resetPage(c, token, "The two new passwords are not the same.", 422);
    try {
      await resetPassword(db, token, input.password ?? "");
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      if (err.status === 404) return deadLink(c);
      return resetPage(c, token, err.message, err.status as 422);
    }
    return page(
      c,
      "Choose a new password",
      `<h1>Your password is changed</h1><p role="status">Sign in with the new one.</p><p><a href="/auth/sign_in">Sign in</a></p>`,
    );
  });

  return router;
}
