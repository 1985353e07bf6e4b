/**
 * The sign-up page (`/auth/sign_up`) and invite links (`/invite/:code`). The rules are the
 * API's (services/accounts/sign-up.ts): the page shows the server's rules to agree to, asks why
 * under approval, and says plainly when the account has to wait for a moderator. An open
 * server's newcomer is signed in at once. Sign-ups per address are limited with the API's.
 */
import { type Context, Hono } from "hono";
import { z } from "zod";
import { ipBucket } from "../api/client-ip.ts";
import { readBody } from "../api/mastodon/body.ts";
import { clientIp } from "../api/request-log.ts";
import type { AppDeps } from "../deps.ts";
import { escapeHtml } from "../lib/html.ts";
import { findUsableInvite } from "../services/accounts/invites.ts";
import { type RegistrationMode, registrationMode } from "../services/accounts/registrations.ts";
import {
  countSignUpAttempt,
  MAX_PASSWORD,
  MAX_REASON,
  MIN_PASSWORD,
  SignUpValidationError,
  signUp,
} from "../services/accounts/sign-up.ts";
import { listRules, readInstanceSettings } from "../services/instance.ts";
import { csrfCookie } from "./csrf-cookie.ts";
import { notice, sendFormPage } from "./form-page.ts";
import { currentSession, startSession } from "./session.ts";

const signUpForm = z.object({
  username: z.string().max(200).optional(),
  password: z.string().max(2000).optional(),
  password_confirmation: z.string().max(2000).optional(),
  reason: z.string().max(5000).optional(),
  agreement: z.string().max(10).optional(),
  invite_code: z.string().max(200).optional(),
  email: z.string().max(500).optional(),
  csrf_token: z.string().max(200).optional(),
});

interface FormState {
  mode: RegistrationMode;
  invite?: string;
  error?: string;
  username?: string;
  reason?: string;
  email?: string;
}

export function signUpPages(deps: AppDeps): Hono {
  const { db, config } = deps;
  const host = config.host;
  const router = new Hono();
  const csrf = csrfCookie(config.publicUrl, "tern_form_csrf", "/");

  const page = (c: Context, body: string, status = 200) =>
    sendFormPage(c, { title: "Sign up", host, body: `<div class="card">${body}</div>` }, status);

  const form = async (c: Context, s: FormState, status = 200) => {
    const [rules, settings] = await Promise.all([listRules(db), readInstanceSettings(db)]);
    const message = settings.registrations?.message;
    const ruleList = rules.length
      ? `<p>The rules of ${escapeHtml(host)}:</p><ol>${rules.map((r) => `<li>${escapeHtml(r.text)}</li>`).join("")}</ol>`
      : "";
    const approval = s.mode === "approval" && !s.invite;
    const reason = approval
      ? `<p><label>Why do you want to join?<br><textarea name="reason" rows="3" maxlength="${MAX_REASON}">${escapeHtml(s.reason ?? "")}</textarea></label></p>`
      : "";
    return page(
      c,
      `<h1>Sign up to ${escapeHtml(host)}</h1>
${approval ? "<p>A moderator reviews every sign-up here before the account can be used.</p>" : ""}
${message ? `<p>${escapeHtml(message)}</p>` : ""}${notice(s.error)}
<form method="post" action="/auth/sign_up">
<input type="hidden" name="csrf_token" value="${escapeHtml(csrf.issue(c))}">
${s.invite ? `<input type="hidden" name="invite_code" value="${escapeHtml(s.invite)}"><p>You were invited.</p>` : ""}
<p><label>Username<br><input name="username" autocomplete="username" required maxlength="30" pattern="[A-Za-z0-9_]+" value="${escapeHtml(s.username ?? "")}"></label></p>
${config.smtp ? `<p><label>E-mail address<br><input name="email" type="email" autocomplete="email" required maxlength="254" value="${escapeHtml(s.email ?? "")}"></label></p>` : ""}
<p><label>Password<br><input name="password" type="password" autocomplete="new-password" required minlength="${MIN_PASSWORD}" maxlength="${MAX_PASSWORD}"></label></p>
<p><label>Password again<br><input name="password_confirmation" type="password" autocomplete="new-password" required></label></p>
${reason}${ruleList}
<p><label><input type="checkbox" name="agreement" value="1" required> I agree to the rules of this server</label></p>
<p><button type="submit">Sign up</button></p>
</form>`,
      status,
    );
  };

  /** Who may use the form now: the mode, and the invite if one came and is still good. */
  const access = async (code: string | undefined) => {
    const mode = await registrationMode(db);
    const invite = code ? await findUsableInvite(db, code) : undefined;
    return { mode, invite: invite ? invite.code : undefined, badInvite: Boolean(code && !invite) };
  };

  const closed = (c: Context, badInvite: boolean, status: number) =>
    page(
      c,
      `<h1>Sign up to ${escapeHtml(host)}</h1><p>${
        badInvite
          ? "This invite link is not valid any more: it was revoked, has expired or was used up."
          : "This server is not taking new sign-ups right now; you need an invite link to join."
      }</p>`,
      status,
    );

  router.get("/invite/:code", async (c) => {
    const code = c.req.param("code");
    const { invite } = await access(code);
    if (!invite) return closed(c, true, 404);
    return c.redirect(`/auth/sign_up?invite=${encodeURIComponent(invite)}`, 302);
  });

  router.get("/auth/sign_up", async (c) => {
    if (await currentSession(c, deps)) return c.redirect("/settings/sessions", 302);
    const { mode, invite, badInvite } = await access(c.req.query("invite"));
    if (badInvite) return closed(c, true, 404);
    if (mode === "closed" && !invite) return closed(c, false, 403);
    return form(c, { mode, invite });
  });

  router.post("/auth/sign_up", async (c) => {
    const input = await readBody(c, signUpForm);
    const { mode, invite, badInvite } = await access(input.invite_code || undefined);
    if (badInvite) return closed(c, true, 404);
    if (mode === "closed" && !invite) return closed(c, false, 403);
    const state: FormState = {
      mode,
      invite,
      username: input.username,
      reason: input.reason,
      email: input.email,
    };
    if (!csrf.check(c, input.csrf_token)) {
      const error = "This form expired or was sent from another site. Please try again.";
      return form(c, { ...state, error }, 403);
    }
    const ip = ipBucket(clientIp(c));
    const wait = await countSignUpAttempt(db, config.rateLimits.signUp, ip);
    if (wait !== null) {
      c.header("Retry-After", String(wait));
      const minutes = Math.max(1, Math.ceil(wait / 60));
      const error = `Too many sign-ups from your network. Please try again in ${minutes} minute${minutes === 1 ? "" : "s"}.`;
      return form(c, { ...state, error }, 429);
    }
    if ((input.password ?? "") !== input.password_confirmation)
      return form(c, { ...state, error: "The two passwords are not the same." }, 422);
    try {
      const { account, approved } = await signUp(db, config.publicUrl, {
        username: (input.username ?? "").trim().replace(/^@/, ""),
        password: input.password ?? "",
        agreement: Boolean(input.agreement),
        reason: input.reason?.trim() || undefined,
        inviteCode: invite,
        ip,
        email: config.smtp ? input.email?.trim() || undefined : undefined,
        confirmation: config.smtp ? config : undefined,
      });
      if (config.smtp)
        return page(
          c,
          `<h1>Thank you, @${escapeHtml(account.username)}</h1>
<p role="status"><strong>Check your e-mail.</strong> We sent a link to confirm your address; follow it, then sign in.${approved ? "" : " A moderator will also review your account before you can use it."}</p>`,
        );
      if (!approved)
        return page(
          c,
          `<h1>Thank you, @${escapeHtml(account.username)}</h1>
<p role="status"><strong>Your account is pending approval.</strong> A moderator of ${escapeHtml(host)} will review it; you can sign in once it is approved.</p>`,
        );
      await startSession(c, deps, account.id);
      return page(
        c,
        `<h1>Welcome, @${escapeHtml(account.username)}!</h1>
<p role="status">Your account @${escapeHtml(account.username)}@${escapeHtml(host)} is ready. Sign in with any Mastodon app: give it the server address <code>${escapeHtml(host)}</code>.</p>
<p><a href="/settings/sessions">Your sessions and apps</a> · <a href="/settings/invites">Invite friends</a></p>`,
      );
    } catch (err) {
      if (!(err instanceof SignUpValidationError)) throw err;
      return form(c, { ...state, error: err.message.replace(/^Validation failed: /, "") }, 422);
    }
  });

  return router;
}
