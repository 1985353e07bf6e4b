/**
 * First run (`/setup`): a server without any local account sends browsers here to create the
 * first admin; the new admin is signed in and lands on /admin. Once any local account exists
 * the page is a 404. The form is signed-out, so it carries a double-submit CSRF cookie.
 */
import { Hono } from "hono";
import { z } from "zod";
import { readBody } from "../api/mastodon/body.ts";
import type { AppDeps } from "../deps.ts";
import { AppError } from "../lib/errors.ts";
import { escapeHtml } from "../lib/html.ts";
import { createFirstAdmin, needsSetup } from "../services/accounts/setup.ts";
import { MAX_PASSWORD, MIN_PASSWORD } from "../services/accounts/sign-up.ts";
import { csrfCookie } from "./csrf-cookie.ts";
import { notice, sendFormPage } from "./form-page.ts";
import { startSession } from "./session.ts";

const setupForm = z.object({
  username: z.string().max(200).optional(),
  password: z.string().max(2000).optional(),
  password_confirmation: z.string().max(2000).optional(),
  display_name: z.string().max(200).optional(),
  csrf_token: z.string().max(200).optional(),
});

export function setupPages(deps: AppDeps): Hono {
  const { db, config } = deps;
  const host = config.host;
  const router = new Hono();
  const csrf = csrfCookie(config.publicUrl, "tern_form_csrf", "/");

  const form = (
    token: string,
    error?: string,
    values: { username?: string; name?: string } = {},
  ) => `
<div class="card"><h1>Set up ${escapeHtml(host)}</h1>
<p>This server has no accounts yet. Create the first one: it will be the server's admin.</p>
${notice(error)}
<form method="post" action="/setup">
<input type="hidden" name="csrf_token" value="${escapeHtml(token)}">
<p><label>Username<br><input name="username" autocomplete="username" required maxlength="30" pattern="[A-Za-z0-9_]+" value="${escapeHtml(values.username ?? "")}"></label></p>
<p><label>Display name (optional)<br><input name="display_name" maxlength="30" value="${escapeHtml(values.name ?? "")}"></label></p>
<p><label>Password<br><input name="password" type="password" autocomplete="new-password" required minlength="${MIN_PASSWORD}" maxlength="${MAX_PASSWORD}"></label></p>
<p><label>Password again<br><input name="password_confirmation" type="password" autocomplete="new-password" required></label></p>
<p><button type="submit">Create admin account</button></p>
</form></div>`;
  const gone = (c: import("hono").Context) =>
    sendFormPage(
      c,
      { title: "Not found", host, body: '<div class="card"><h1>Not found</h1></div>' },
      404,
    );

  // The front page of an empty server is the setup page.
  router.use("/", async (c, next) => {
    if (c.req.method === "GET" && (await needsSetup(db))) return c.redirect("/setup", 302);
    await next();
  });

  router.get("/setup", async (c) => {
    if (!(await needsSetup(db))) return gone(c);
    return sendFormPage(c, { title: "Set up", host, body: form(csrf.issue(c)) });
  });

  router.post("/setup", async (c) => {
    if (!(await needsSetup(db))) return gone(c);
    const input = await readBody(c, setupForm);
    const values = { username: input.username, name: input.display_name };
    const again = (error: string, status: number) =>
      sendFormPage(c, { title: "Set up", host, body: form(csrf.issue(c), error, values) }, status);
    if (!csrf.check(c, input.csrf_token))
      return again("This form expired or was sent from another site. Please try again.", 403);
    const password = input.password ?? "";
    if (password !== input.password_confirmation)
      return again("The two passwords are not the same.", 422);
    if (password.length > MAX_PASSWORD)
      return again(`The password may be at most ${MAX_PASSWORD} characters.`, 422);
    try {
      const account = await createFirstAdmin(db, config.publicUrl, {
        username: (input.username ?? "").trim().replace(/^@/, ""),
        password,
        displayName: input.display_name?.trim().slice(0, 30) || undefined,
      });
      await startSession(c, deps, account.id);
      return c.redirect("/admin", 302);
    } catch (err) {
      if (err instanceof AppError && err.status === 404) return gone(c);
      if (err instanceof AppError && err.status === 422) return again(err.message, 422);
      throw err;
    }
  });

  return router;
}
