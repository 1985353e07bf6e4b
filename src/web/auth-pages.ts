/**
 * Signing in and out of Tern's own pages (`/auth/sign_in`, `/auth/sign_out`). The password check
 * is the OAuth login's, with its throttles; a signed-in browser gets a session cookie
 * (web/session.ts). Apps never use these pages: they sign in through OAuth.
 */
import { Hono } from "hono";
import { z } from "zod";
import { ipBucket } from "../api/client-ip.ts";
import { readBody } from "../api/mastodon/body.ts";
import { clientIp } from "../api/request-log.ts";
import type { AppDeps } from "../deps.ts";
import { AppError } from "../lib/errors.ts";
import { escapeHtml } from "../lib/html.ts";
import {
  DISABLED_LOGIN,
  PENDING_APPROVAL,
  passwordLogin,
  SUSPENDED_LOGIN,
  UNCONFIRMED_FORM,
} from "../services/accounts/login.ts";
import { deleteWebSession } from "../services/sessions/web-sessions.ts";
import { notice, safeNext, sendFormPage } from "./form-page.ts";
import { clearSessionCookie, csrfOk, currentSession, startSession } from "./session.ts";

const signInForm = z.object({
  username: z.string().max(200).optional(),
  password: z.string().max(2000).optional(),
  next: z.string().max(2000).optional(),
});

export function authPages(deps: AppDeps): Hono {
  const { db, config } = deps;
  const router = new Hono();
  const host = config.host;

  const form = (next: string, error?: string, username = "") => `
<div class="card"><h1>Sign in to ${escapeHtml(host)}</h1>${notice(error)}
<form method="post" action="/auth/sign_in">
<input type="hidden" name="next" value="${escapeHtml(next)}">
<p><label>Username<br><input name="username" autocomplete="username" required value="${escapeHtml(username)}"></label></p>
<p><label>Password<br><input name="password" type="password" autocomplete="current-password" required></label></p>
<p><button type="submit">Sign in</button></p>
</form>${config.smtp ? '<p><a href="/auth/password/new">Forgot your password?</a></p>' : ""}</div>`;

  router.get("/auth/sign_in", async (c) => {
    const next = safeNext(c.req.query("next"));
    if (await currentSession(c, deps)) return c.redirect(next, 302);
    return sendFormPage(c, { title: "Sign in", host, body: form(next) });
  });

  router.post("/auth/sign_in", async (c) => {
    const origin = c.req.header("origin");
    if (origin && origin !== "null" && origin !== config.publicUrl) {
      throw new AppError(403, "This form was sent from another site");
    }
    const input = await readBody(c, signInForm);
    const next = safeNext(input.next);
    let username = (input.username ?? "").trim().replace(/^@/, "");
    const ownHost = `@${host}`.toLowerCase();
    if (username.toLowerCase().endsWith(ownHost)) username = username.slice(0, -ownHost.length);
    const login = await passwordLogin(db, config.rateLimits, {
      ip: ipBucket(clientIp(c)),
      username,
      password: input.password ?? "",
    });
    if (!login.ok) {
      const status =
        login.reason === "wrong"
          ? 401
          : login.reason === "pending" ||
              login.reason === "suspended" ||
              login.reason === "unconfirmed" ||
              login.reason === "disabled"
            ? 403
            : 429;
      if ("retryAfter" in login) c.header("Retry-After", String(login.retryAfter));
      const error =
        login.reason === "wrong"
          ? "Wrong username or password."
          : login.reason === "pending"
            ? PENDING_APPROVAL
            : login.reason === "suspended"
              ? SUSPENDED_LOGIN
              : login.reason === "unconfirmed"
                ? UNCONFIRMED_FORM
                : login.reason === "disabled"
                  ? DISABLED_LOGIN
                  : "Too many attempts; try again later.";
      return sendFormPage(c, { title: "Sign in", host, body: form(next, error, username) }, status);
    }
    await startSession(c, deps, login.account.id);
    return c.redirect(next, 302);
  });

  router.post("/auth/sign_out", async (c) => {
    const session = await currentSession(c, deps);
    const input = await readBody(c, z.object({ csrf_token: z.string().optional() }));
    if (session && csrfOk(c, deps, input.csrf_token)) await deleteWebSession(db, session.id);
    clearSessionCookie(c, deps);
    return c.redirect("/auth/sign_in", 302);
  });

  return router;
}
