/**
 * The team audit log as the team page shows it: newest first, one keyset page at a time
 * (`?max_id=`, as /admin/audit), each line saying who (the login) did what, in words.
 */
import type { Db } from "../../db/client.ts";
import { escapeHtml } from "../../lib/html.ts";
import { isId } from "../../lib/ids.ts";
import { type AuditEntry, auditActorNames, listAudit } from "../../services/teams/audit.ts";

export const LOG_PAGE = 50;

const str = (v: unknown) => (typeof v === "string" || typeof v === "number" ? String(v) : "?");

/** The action in words; actions this page does not know are shown by name with their detail. */
function what(e: AuditEntry): string {
  const d = e.detail;
  switch (e.action) {
    case "account.create":
      return "created the account";
    case "account.transfer":
      return `made @${str(d.to)} an owner (ownership transferred)`;
    case "member.add":
      return `added @${str(d.member)} as ${str(d.role)}`;
    case "member.role":
      return `changed @${str(d.member)} from ${str(d.from)} to ${str(d.to)}`;
    case "member.remove":
      return `removed @${str(d.member)}`;
    case "member.leave":
      return "left the team";
    case "status.create":
      return "posted";
    case "status.schedule":
      return "scheduled a post";
    case "scheduled.update":
      return "changed a scheduled post's time";
    case "scheduled.cancel":
      return "cancelled a scheduled post";
    case "draft.create":
      return "saved a new draft";
    case "draft.update":
      return "saved a draft";
    case "draft.delete":
      return "deleted a draft";
    default:
      return Object.keys(d).length ? `${e.action} ${JSON.stringify(d)}` : e.action;
  }
}

/** One page of the account's log as a table, with an *Older* link when more remain. */
export async function teamLog(
  db: Db,
  accountId: string,
  basePath: string,
  maxParam: string | undefined,
): Promise<string> {
  const maxId = maxParam && isId(maxParam) ? maxParam : undefined;
  const rows = await listAudit(db, accountId, { maxId, limit: LOG_PAGE + 1 });
  const page = rows.slice(0, LOG_PAGE);
  const names = await auditActorNames(db, page);
  const lines = page
    .map((e) => {
      const name = e.actorAccountId ? names.get(e.actorAccountId) : undefined;
      const who = name ? `@${name}` : "(deleted account)";
      const post = e.statusId ? `<a href="/studio/analytics/statuses/${e.statusId}">reach</a>` : "";
      return `<tr data-audit="${escapeHtml(e.action)}"><td>${escapeHtml(e.createdAt.toISOString().slice(0, 16).replace("T", " "))} UTC</td><td>${escapeHtml(who)}</td><td>${escapeHtml(what(e))}</td><td>${post}</td></tr>`;
    })
    .join("\n");
  const older =
    rows.length > LOG_PAGE
      ? `<p><a href="${basePath}?max_id=${page.at(-1)!.id}#log">Older</a></p>`
      : "";
  const table = page.length
    ? `<table><thead><tr><th>When</th><th>Who</th><th>What</th><th>Post</th></tr></thead><tbody>${lines}</tbody></table>`
    : "<p>Nothing yet.</p>";
  return `<section class="card" id="log"><h2>Team log</h2>${table}${older}</section>`;
}
