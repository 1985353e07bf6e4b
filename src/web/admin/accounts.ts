/**
 * /admin/accounts: the approval queue first, then every account (searchable by name and
 * domain), and one page per account with its moderation buttons. Every POST checks the
 * session's CSRF token and that the moderator outranks the account, as the admin API does.
 */
import { type Context, Hono } from "hono";
import { z } from "zod";
import { readBody } from "../../api/mastodon/body.ts";
import type { AppDeps } from "../../deps.ts";
import { AppError } from "../../lib/errors.ts";
import { escapeHtml } from "../../lib/html.ts";
import { isId } from "../../lib/ids.ts";
import {
  type AdminAccountRow,
  approveAccount,
  getAdminAccount,
  listAdminAccounts,
  rejectAccount,
} from "../../services/admin/accounts.ts";
import {
  enableAccount,
  mayModerate,
  moderateAccount,
  unsensitizeAccount,
  unsilenceAccount,
  unsuspendAccount,
} from "../../services/admin/moderation.ts";
import { csrfField, notice } from "../form-page.ts";
import { csrfOk } from "../session.ts";
import { adminPage } from "./layout.ts";

const PAGE = 50;

const acct = (r: AdminAccountRow) =>
  r.account.domain ? `@${r.account.username}@${r.account.domain}` : `@${r.account.username}`;

function state(r: AdminAccountRow): string {
  const marks: string[] = [];
  if (r.user && !r.user.approved) marks.push("pending");
  if (r.account.suspendedAt) marks.push("suspended");
  if (r.account.silencedAt) marks.push("silenced");
  if (r.user?.disabledAt) marks.push("disabled");
  if (r.account.sensitizedAt) marks.push("sensitive");
  if (r.user && r.user.role !== "user") marks.push(r.user.role);
  return marks.join(", ") || "active";
}

function table(rows: AdminAccountRow[]): string {
  if (rows.length === 0) return "<p>None.</p>";
  const lines = rows.map(
    (r) =>
      `<tr><td><a href="/admin/accounts/${r.account.id}">${escapeHtml(acct(r))}</a></td><td>${escapeHtml(r.account.displayName)}</td><td>${escapeHtml(state(r))}</td><td>${r.account.createdAt.toISOString().slice(0, 10)}</td></tr>`,
  );
  return `<table><thead><tr><th>Account</th><th>Name</th><th>State</th><th>Joined</th></tr></thead><tbody>${lines.join("")}</tbody></table>`;
}

/** One button per form: the action in the path, the CSRF token in the body. */
const button = (id: string, action: string, label: string, csrf: string) =>
  `<form method="post" action="/admin/accounts/${id}/${action}" style="display:inline">${csrfField(csrf)}<button type="submit" name="do" value="${action}">${escapeHtml(label)}</button></form>`;

function detail(r: AdminAccountRow, csrf: string): string {
  const id = r.account.id;
  const facts: [string, string | null | undefined][] = [
    ["Account", acct(r)],
    ["Display name", r.account.displayName],
    ["State", state(r)],
    ["Joined", r.account.createdAt.toISOString()],
    ["E-mail", r.user?.email],
    ["Sign-up address", r.user?.signUpIp],
    ["Reason given", r.user?.signUpReason],
  ];
  const dl = facts
    .filter(([, v]) => v)
    .map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v ?? "")}</dd>`)
    .join("");
  const buttons: string[] = [];
  if (r.user && !r.user.approved) {
    buttons.push(button(id, "approve", "Approve", csrf), button(id, "reject", "Reject", csrf));
  }
  buttons.push(
    r.account.silencedAt
      ? button(id, "unsilence", "Unsilence", csrf)
      : button(id, "silence", "Silence", csrf),
    r.account.suspendedAt
      ? button(id, "unsuspend", "Unsuspend", csrf)
      : button(id, "suspend", "Suspend", csrf),
    r.account.sensitizedAt
      ? button(id, "unsensitive", "Undo force-sensitive", csrf)
      : button(id, "sensitive", "Force media sensitive", csrf),
  );
  // Only a local account has a login to disable.
  if (r.user) {
    buttons.push(
      r.user.disabledAt
        ? button(id, "enable", "Enable login", csrf)
        : button(id, "disable", "Disable login", csrf),
    );
  }
  const profile = r.account.domain ? (r.account.url ?? r.account.uri) : `/@${r.account.username}`;
  return `<div class="card"><dl>${dl}</dl><p><a href="${escapeHtml(profile)}">Profile</a></p><p>${buttons.join(" ")}</p></div>`;
}

const searchForm = (name: string, domain: string) =>
  `<form method="get" action="/admin/accounts" class="card"><label>Name <input name="q" value="${escapeHtml(name)}"></label> <label>Domain <input name="domain" value="${escapeHtml(domain)}"></label> <button type="submit">Search</button></form>`;

export function adminAccountPages(deps: AppDeps): Hono {
  const { db } = deps;
  const router = new Hono();

  router.get("/admin/accounts", async (c) => {
    const q = (c.req.query("q") ?? "").trim().replace(/^@/, "").slice(0, 100);
    const domain = (c.req.query("domain") ?? "").trim().slice(0, 200);
    const maxParam = c.req.query("max_id");
    const maxId = maxParam && isId(maxParam) ? maxParam : undefined;
    const search = { username: q || undefined, byDomain: domain || undefined };
    // Sign-ups waiting for approval come first, whatever the search.
    const pending = maxId
      ? []
      : await listAdminAccounts(db, { status: "pending" }, { limit: PAGE });
    const rows = await listAdminAccounts(db, search, { limit: PAGE + 1, maxId });
    const page = rows.slice(0, PAGE);
    const older =
      rows.length > PAGE
        ? `<p><a href="/admin/accounts?${new URLSearchParams({ q, domain, max_id: page.at(-1)!.account.id })}">Older</a></p>`
        : "";
    const body = `${maxId ? "" : `<h2>Waiting for approval</h2>${table(pending)}`}${searchForm(q, domain)}<h2>All accounts</h2>${table(page)}${older}`;
    return adminPage(c, deps, { title: "Accounts", body });
  });

  router.get("/admin/accounts/:id", async (c) => {
    const row = await getAdminAccount(db, c.req.param("id"));
    const session = c.get("webSession")!;
    const message = c.req.query("error") ?? "";
    const done = c.req.query("done") ?? "";
    const body = `${notice(message || undefined)}${done ? notice(`Done: ${done}.`, "ok") : ""}${detail(row, session.csrfToken)}`;
    return adminPage(c, deps, { title: acct(row), body });
  });

  router.post("/admin/accounts/:id/:action", async (c) => {
    const form = await readBody(c, z.object({ csrf_token: z.string().optional() }).passthrough());
    if (!csrfOk(c, deps, form.csrf_token)) {
      return adminPage(
        c,
        deps,
        { title: "Accounts", body: notice("The form expired; go back and try again.") },
        403,
      );
    }
    const id = c.req.param("id");
    const action = c.req.param("action");
    try {
      const where = await act(c, deps, id, action);
      return c.redirect(where, 303);
    } catch (err) {
      if (!(err instanceof AppError) || err.status >= 500) throw err;
      return c.redirect(
        `/admin/accounts/${id}?${new URLSearchParams({ error: err.message })}`,
        303,
      );
    }
  });
  return router;
}

/** Runs one button's action; answers where the browser goes next. */
async function act(c: Context, deps: AppDeps, id: string, action: string): Promise<string> {
  const { db } = deps;
  const session = c.get("webSession")!;
  const row = await getAdminAccount(db, id);
  if (!mayModerate(session.role, row.user?.role))
    throw new AppError(403, "You cannot moderate this account");
  const back = `/admin/accounts/${id}?done=${action}`;
  switch (action) {
    case "approve":
      await approveAccount(db, row, session.account.id, deps.config);
      return back;
    case "reject":
      await rejectAccount(db, row, session.account.id);
      return "/admin/accounts";
    case "silence":
    case "suspend":
    case "sensitive":
    case "disable":
      await moderateAccount(db, session.account, row.account, { type: action });
      return back;
    case "unsilence":
      await unsilenceAccount(db, row.account, session.account);
      return back;
    case "unsuspend":
      await unsuspendAccount(db, row.account, session.account);
      return back;
    case "unsensitive":
      await unsensitizeAccount(db, row.account, session.account);
      return back;
    case "enable":
      await enableAccount(db, row.account, session.account);
      return back;
    default:
      throw new AppError(404, "No such action");
  }
}
