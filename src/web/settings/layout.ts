/**
 * The frame of a signed-in person's settings pages (password, sessions, invites): the form-page
 * shell with their navigation and a sign-out button. Pages pass already-escaped body markup.
 */
import type { Context } from "hono";
import type { AppDeps } from "../../deps.ts";
import { escapeHtml } from "../../lib/html.ts";
import { csrfField, sendFormPage } from "../form-page.ts";

const NAV: [string, string][] = [
  ["/settings/password", "Password"],
  ["/settings/sessions", "Sessions and apps"],
  ["/settings/invites", "Invites"],
];

export function settingsPage(
  c: Context,
  deps: AppDeps,
  page: { title: string; body: string },
  status = 200,
): Response {
  const session = c.get("webSession")!;
  const path = new URL(c.req.url).pathname;
  const nav = NAV.map(
    ([href, label]) =>
      `<a href="${href}"${href === path ? ' aria-current="page"' : ""}>${escapeHtml(label)}</a>`,
  ).join(" · ");
  const staff = session.role !== "user" ? ' · <a href="/admin">Admin</a>' : "";
  const signOut = `<form method="post" action="/auth/sign_out" style="display:inline">${csrfField(session.csrfToken)}<button type="submit">Sign out @${escapeHtml(session.account.username)}</button></form>`;
  const body = `<nav class="card">${nav}${staff} ${signOut}</nav>\n<h1>${escapeHtml(page.title)}</h1>\n${page.body}`;
  return sendFormPage(
    c,
    { title: `Settings: ${page.title}`, host: deps.config.host, body },
    status,
  );
}

/** A date as people read it, in UTC (the pages run no script to localize it). */
export const when = (d: Date | null | undefined) =>
  d ? `${d.toISOString().slice(0, 16).replace("T", " ")} UTC` : "never";

/** A one-button form posting back to `action` with the session's CSRF token. */
export function actionButton(action: string, label: string, csrfToken: string): string {
  return `<form method="post" action="${escapeHtml(action)}" style="display:inline">${csrfField(csrfToken)}<button type="submit">${escapeHtml(label)}</button></form>`;
}
