/** `/admin`: what the server is doing, from services/admin/dashboard.ts (a constant few queries). */
import { Hono } from "hono";
import type { AppDeps } from "../../deps.ts";
import { escapeHtml } from "../../lib/html.ts";
import { dashboardFigures } from "../../services/admin/dashboard.ts";
import { adminPage } from "./layout.ts";

const n = (v: number) => v.toLocaleString("en");
const when = (d: Date | null) => (d ? d.toISOString().replace("T", " ").slice(0, 16) : "");

export function adminDashboard(deps: AppDeps): Hono {
  const router = new Hono();
  router.get("/admin", async (c) => {
    const f = await dashboardFigures(deps.db);
    const figure = (id: string, label: string, value: string) =>
      `<tr><th scope="row">${escapeHtml(label)}</th><td id="${id}">${value}</td></tr>`;
    const hosts = f.failingHosts
      .map(
        (h) => `<tr><td>${escapeHtml(h.host)}</td><td>${n(h.failureCount)}</td>
<td>${when(h.lastFailureAt)}</td><td>${h.unreachableSince ? `since ${when(h.unreachableSince)}` : ""}</td>
<td>${escapeHtml((h.lastError ?? "").slice(0, 200))}</td></tr>`,
      )
      .join("\n");
    const body = `<section class="card"><h2>Users and posts</h2><table>
${figure("users-total", "Local users", n(f.users.total))}
${figure("users-active", "Active this week (posted or signed in)", n(f.users.activeWeek))}
${figure("users-pending", "Waiting for approval", f.users.pendingApproval ? `<a href="/admin/accounts">${n(f.users.pendingApproval)}</a>` : "0")}
${figure("posts-local", "Local posts", n(f.posts.local))}
${figure("posts-remote", f.posts.remoteEstimated ? "Remote posts (estimate)" : "Remote posts", `${f.posts.remoteEstimated ? "≈ " : ""}${n(f.posts.remote)}`)}
${figure("peers", "Known servers", n(f.peers))}
${figure("reports-open", "Open reports", f.openReports ? `<a href="/admin/reports">${n(f.openReports)}</a>` : "0")}
</table></section>
<section class="card"><h2>Job queue</h2><table>
${figure("jobs-queued", "Queued (due now)", n(f.jobs.queued))}
${figure("jobs-running", "Running", n(f.jobs.running))}
${figure("jobs-failed", "Failed, waiting to retry", n(f.jobs.failed))}
${figure("jobs-delayed", "Scheduled for later", n(f.jobs.delayed))}
</table></section>
<section class="card"><h2>Failing deliveries</h2>
${
  hosts
    ? `<table id="failing-hosts"><thead><tr><th>Host</th><th>Failures in a row</th><th>Last failure</th><th>Unreachable</th><th>Last error</th></tr></thead><tbody>${hosts}</tbody></table>`
    : "<p>Every server we deliver to answers.</p>"
}</section>`;
    return adminPage(c, deps, { title: "Dashboard", body });
  });
  return router;
}
