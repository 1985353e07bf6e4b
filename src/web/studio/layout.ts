/**
 * The frame of the studio pages (compose, scheduled, drafts, analytics, accounts): the form-page
 * shell with the studio's navigation and the handle of the account the studio acts as. Pages
 * pass already-escaped body markup; a page that needs script passes it as `script`, which runs
 * under a per-response nonce (the CSP still forbids every other script) and may call back to us.
 */
import { randomBytes } from "node:crypto";
import type { Context } from "hono";
import type { AppDeps } from "../../deps.ts";
import { AppError } from "../../lib/errors.ts";
import { escapeHtml } from "../../lib/html.ts";
import { mayPost } from "../../services/teams/access.ts";
import { FORM_CSP, sendFormPage } from "../form-page.ts";

export const STUDIO_NAV: [string, string][] = [
  ["/studio", "Compose"],
  ["/studio/scheduled", "Scheduled"],
  ["/studio/drafts", "Drafts"],
  ["/studio/analytics", "Analytics"],
  ["/studio/accounts", "Accounts"],
];

export interface StudioPageInput {
  title: string;
  body: string;
  /** Inline script (already safe to embed): sent with a nonce, allowed to fetch our own origin. */
  script?: string;
}

export function studioPage(
  c: Context,
  deps: AppDeps,
  page: StudioPageInput,
  status = 200,
): Response {
  const session = c.get("webSession")!;
  const path = new URL(c.req.url).pathname;
  const nav = STUDIO_NAV.map(
    ([href, label]) =>
      `<a href="${href}"${href === path ? ' aria-current="page"' : ""}>${escapeHtml(label)}</a>`,
  ).join(" · ");
  const { account, role } = session.acting;
  const acting = `<span class="handle" data-acting>Acting as <strong>@${escapeHtml(account.username)}</strong>${role === "self" ? "" : ` (${escapeHtml(role)})`}</span>`;
  const nonce = page.script ? randomBytes(16).toString("base64") : "";
  const script = page.script ? `\n<script nonce="${nonce}">${page.script}</script>` : "";
  const body = `<nav class="card">${nav} · <a href="/settings/password">Settings</a><br>${acting}</nav>\n<h1>${escapeHtml(page.title)}</h1>\n${page.body}${script}`;
  const res = sendFormPage(
    c,
    { title: `Studio: ${page.title}`, host: deps.config.host, body },
    status,
  );
  if (page.script)
    res.headers.set(
      "Content-Security-Policy",
      `${FORM_CSP}; script-src 'nonce-${nonce}'; connect-src 'self'`,
    );
  return res;
}

/** The 403 page of a team member whose role does not allow this (an analyst composing). */
export function forbiddenPage(c: Context, deps: AppDeps, what = "post for this account"): Response {
  const role = c.get("webSession")!.acting.role;
  return studioPage(
    c,
    deps,
    {
      title: "Not allowed",
      body: `<div class="card"><p role="alert">Your role on this account (${escapeHtml(role)}) does not let you ${escapeHtml(what)}.</p></div>`,
    },
    403,
  );
}

/** Throws a 403 unless the session may post as the account it acts as (caught by the router). */
export function assertMayPost(c: Context): void {
  if (!mayPost(c.get("webSession")!.acting.role))
    throw new AppError(403, "Your role on this account does not let you post");
}

/** A one-button POST form with the session's CSRF token (the settings pages' own). */
export { actionButton as postButton } from "../settings/layout.ts";

/** A time as the studio shows and takes it: UTC, minutes (`datetime-local` has no zone). */
export const utcMinutes = (d: Date) => d.toISOString().slice(0, 16);
export const fromUtcMinutes = (v: string): Date | undefined => {
  if (!/^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d)?$/.test(v)) return undefined;
  const at = Date.parse(`${v}Z`);
  return Number.isNaN(at) ? undefined : new Date(at);
};
