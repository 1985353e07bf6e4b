/**
 * /admin/reports: open (or resolved) reports, newest first, and one page per report with its
 * comment, the reported posts and the buttons to resolve, reopen or suspend the target (which
 * resolves it too). POSTs check the CSRF token.
 */
import { inArray } from "drizzle-orm";
import { Hono } from "hono";
import { z } from "zod";
import { readBody } from "../../api/mastodon/body.ts";
import { accounts } from "../../db/schema/index.ts";
import type { AppDeps } from "../../deps.ts";
import { AppError } from "../../lib/errors.ts";
import { escapeHtml } from "../../lib/html.ts";
import { getAdminAccounts } from "../../services/admin/accounts.ts";
import { mayModerate, moderateAccount } from "../../services/admin/moderation.ts";
import {
  getAdminReport,
  listAdminReports,
  reopenReport,
  reportedStatuses,
  resolveReport,
} from "../../services/admin/reports.ts";
import type { Report } from "../../services/reports/reports.ts";
import { csrfField, notice } from "../form-page.ts";
import { csrfOk } from "../session.ts";
import { adminPage } from "./layout.ts";

const handle = (a: { username: string; domain: string | null } | undefined) =>
  a ? escapeHtml(a.domain ? `@${a.username}@${a.domain}` : `@${a.username}`) : "(gone)";

async function namesOf(deps: AppDeps, rows: Report[]) {
  const ids = [...new Set(rows.flatMap((r) => [r.accountId, r.targetAccountId]))];
  const found = ids.length
    ? await deps.db.select().from(accounts).where(inArray(accounts.id, ids))
    : [];
  return new Map(found.map((a) => [a.id, a]));
}

const button = (id: string, action: string, label: string, csrf: string) =>
  `<form method="post" action="/admin/reports/${id}/${action}" style="display:inline">${csrfField(csrf)}<button type="submit" name="do" value="${action}">${escapeHtml(label)}</button></form>`;

export function adminReportPages(deps: AppDeps): Hono {
  const { db } = deps;
  const router = new Hono();

  router.get("/admin/reports", async (c) => {
    const resolved = c.req.query("resolved") === "1";
    const rows = await listAdminReports(db, { resolved }, { limit: 100 });
    const names = await namesOf(deps, rows);
    const lines = rows.map(
      (r) =>
        `<tr><td><a href="/admin/reports/${r.id}">#${r.id}</a></td><td>${handle(names.get(r.targetAccountId))}</td><td>${handle(names.get(r.accountId))}</td><td>${escapeHtml(r.category)}</td><td>${escapeHtml(r.comment.slice(0, 80))}</td><td>${r.createdAt.toISOString().slice(0, 16).replace("T", " ")}</td></tr>`,
    );
    const list = rows.length
      ? `<table><thead><tr><th>Report</th><th>Reported</th><th>By</th><th>Category</th><th>Comment</th><th>Filed (UTC)</th></tr></thead><tbody>${lines.join("")}</tbody></table>`
      : "<p>None.</p>";
    const other = resolved
      ? '<p><a href="/admin/reports">Open reports</a></p>'
      : '<p><a href="/admin/reports?resolved=1">Resolved reports</a></p>';
    return adminPage(c, deps, {
      title: resolved ? "Resolved reports" : "Reports",
      body: list + other,
    });
  });

  router.get("/admin/reports/:id", async (c) => {
    const report = await getAdminReport(db, c.req.param("id"));
    const names = await namesOf(deps, [report]);
    const posts = await reportedStatuses(db, [report]);
    const csrf = c.get("webSession")!.csrfToken;
    const target = names.get(report.targetAccountId);
    // Statuses' content is HTML sanitized when stored, as the public pages show it.
    const shown = posts
      .map(
        (s) =>
          `<blockquote class="card">${s.content}<p><small>${s.createdAt.toISOString()}</small></p></blockquote>`,
      )
      .join("");
    const buttons = [
      report.actionTakenAt
        ? button(report.id, "reopen", "Reopen", csrf)
        : button(report.id, "resolve", "Resolve", csrf),
      target && !target.suspendedAt
        ? button(report.id, "suspend_target", "Suspend the reported account", csrf)
        : "",
    ].join(" ");
    const body = `${notice(c.req.query("error"))}${c.req.query("done") ? notice(`Done: ${c.req.query("done")}.`, "ok") : ""}<div class="card"><dl><dt>Reported</dt><dd>${target ? `<a href="/admin/accounts/${target.id}">${handle(target)}</a>` : "(gone)"}</dd><dt>By</dt><dd>${handle(names.get(report.accountId))}</dd><dt>Category</dt><dd>${escapeHtml(report.category)}</dd><dt>Comment</dt><dd>${escapeHtml(report.comment) || "(none)"}</dd><dt>State</dt><dd>${report.actionTakenAt ? `resolved ${report.actionTakenAt.toISOString()}` : "open"}</dd></dl></div>${shown}<p>${buttons}</p>`;
    return adminPage(c, deps, { title: `Report #${report.id}`, body });
  });

  router.post("/admin/reports/:id/:action", async (c) => {
    const form = await readBody(c, z.object({ csrf_token: z.string().optional() }).passthrough());
    if (!csrfOk(c, deps, form.csrf_token)) {
      return adminPage(
        c,
        deps,
        { title: "Reports", body: notice("The form expired; go back and try again.") },
        403,
      );
    }
    const session = c.get("webSession")!;
    const action = c.req.param("action");
    const report = await getAdminReport(db, c.req.param("id"));
    const back = (q: Record<string, string>) =>
      c.redirect(`/admin/reports/${report.id}?${new URLSearchParams(q)}`, 303);
    try {
      if (action === "resolve") await resolveReport(db, report, session.account.id);
      else if (action === "reopen") await reopenReport(db, report, session.account.id);
      else if (action === "suspend_target") {
        const [target] = await getAdminAccounts(db, [report.targetAccountId]);
        if (!target || !mayModerate(session.role, target.user?.role))
          throw new AppError(403, "You cannot moderate this account");
        await moderateAccount(db, session.account, target.account, {
          type: "suspend",
          reportId: report.id,
        });
      } else throw new AppError(404, "No such action");
      return back({ done: action });
    } catch (err) {
      if (!(err instanceof AppError) || err.status >= 500) throw err;
      return back({ error: err.message });
    }
  });
  return router;
}
