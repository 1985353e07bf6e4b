/**
 * /admin/audit: the admin audit log, newest first, one keyset page at a time (who, what, on
 * which target, when).
 */
import { Hono } from "hono";
import type { AppDeps } from "../../deps.ts";
import { escapeHtml } from "../../lib/html.ts";
import { isId } from "../../lib/ids.ts";
import { type AuditRow, acctLabel, listAuditLog } from "../../services/admin/audit.ts";
import { adminPage } from "./layout.ts";

const PAGE = 50;

function line({ log, actor }: AuditRow): string {
  const who = actor ? `@${acctLabel(actor)}` : log.accountId ? "(deleted account)" : "CLI";
  const target = `${log.targetType}${log.targetLabel ? ` ${log.targetLabel}` : ""}`;
  const detail = Object.keys(log.detail).length ? JSON.stringify(log.detail) : "";
  return `<tr><td>${escapeHtml(log.createdAt.toISOString())}</td><td>${escapeHtml(who)}</td><td>${escapeHtml(log.action)}</td><td>${escapeHtml(target)}</td><td>${escapeHtml(detail)}</td></tr>`;
}

export function adminAuditPages(deps: AppDeps): Hono {
  const router = new Hono();
  router.get("/admin/audit", async (c) => {
    const maxParam = c.req.query("max_id");
    const maxId = maxParam && isId(maxParam) ? maxParam : undefined;
    const rows = await listAuditLog(deps.db, { limit: PAGE + 1, maxId });
    const page = rows.slice(0, PAGE);
    const older =
      rows.length > PAGE
        ? `<p><a href="/admin/audit?max_id=${page.at(-1)!.log.id}">Older</a></p>`
        : "";
    const table = page.length
      ? `<table><thead><tr><th>When</th><th>Who</th><th>Action</th><th>Target</th><th>Detail</th></tr></thead><tbody>${page.map(line).join("")}</tbody></table>`
      : "<p>Nothing yet.</p>";
    return adminPage(c, deps, { title: "Audit log", body: `${table}${older}` });
  });
  return router;
}
