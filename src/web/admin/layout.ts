/**
 * The frame of every admin page: the form-page shell with the admin navigation and a sign-out
 * button. Pages pass already-escaped body markup.
 */
import type { Context } from "hono";
import type { AppDeps } from "../../deps.ts";
import { escapeHtml } from "../../lib/html.ts";
import { csrfField, sendFormPage } from "../form-page.ts";

const NAV: [string, string][] = [
  ["/admin", "Dashboard"],
  ["/admin/accounts", "Accounts"],
  ["/admin/reports", "Reports"],
  ["/admin/domains", "Domains"],
  ["/admin/settings", "Settings"],
  ["/admin/audit", "Audit log"],
];

export function adminPage(
  c: Context,
  deps: AppDeps,
  page: { title: string; body: string },
  status = 200,
): Response {
  const session = c.get("webSession");
  const path = new URL(c.req.url).pathname;
  const nav = NAV.map(
    ([href, label]) =>
      `<a href="${href}"${href === path ? ' aria-current="page"' : ""}>${escapeHtml(label)}</a>`,
  ).join(" · ");
  const signOut = session
    ? `<form method="post" action="/auth/sign_out" style="display:inline">${csrfField(session.csrfToken)}<button type="submit">Sign out @${escapeHtml(session.account.username)}</button></form>`
    : "";
  const body = `<nav class="card admin-nav">${nav} ${signOut}</nav>\n<h1>${escapeHtml(page.title)}</h1>\n${page.body}`;
  return sendFormPage(c, { title: `Admin: ${page.title}`, host: deps.config.host, body }, status);
}
