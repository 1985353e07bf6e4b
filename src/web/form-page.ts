/**
 * The shell of Tern's signed-in and form pages (sign-in, setup, sign-up, settings, admin,
 * studio): the public layout, plus forms allowed to post back to us only, never cached, never
 * framed. Pages that need script add a nonce'd `<script>` through `scripts`.
 */
import type { Context } from "hono";
import { escapeHtml } from "../lib/html.ts";
import { layout } from "./layout.ts";

export const FORM_CSP =
  "default-src 'none'; img-src * data:; media-src *; style-src 'unsafe-inline'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

export interface FormPageInput {
  title: string;
  host: string;
  body: string;
  head?: string;
}

export function sendFormPage(c: Context, page: FormPageInput, status = 200): Response {
  return c.body(layout({ ...page, title: `${page.title} - ${page.host}` }), status as 200, {
    "Content-Type": "text/html; charset=utf-8",
    "Content-Security-Policy": FORM_CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
    "Referrer-Policy": "same-origin",
  });
}

/** A hidden CSRF field for a signed-in form. */
export function csrfField(token: string): string {
  return `<input type="hidden" name="csrf_token" value="${escapeHtml(token)}">`;
}

/** An error or notice line at the top of a form (already escaped here). */
export function notice(text: string | undefined, kind: "error" | "ok" = "error"): string {
  if (!text) return "";
  const color = kind === "error" ? "#c0392b" : "#2e7d32";
  return `<p role="${kind === "error" ? "alert" : "status"}" style="color:${color};font-weight:600">${escapeHtml(text)}</p>`;
}

/** Only a local path may be a place to go back to after signing in (no open redirect). */
export function safeNext(next: unknown, fallback = "/"): string {
  return typeof next === "string" && /^\/(?![/\\])/.test(next) ? next : fallback;
}
