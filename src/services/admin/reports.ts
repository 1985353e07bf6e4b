/**
 * Reports as moderators handle them (`/api/v1/admin/reports`, the admin pages): listing,
 * (re)classifying, assigning, resolving and reopening. Filing and receiving reports stays in
 * services/reports.
 */
import { and, eq, inArray, isNotNull, isNull, type SQL } from "drizzle-orm";
import type { Db, Tx } from "../../db/client.ts";
import { instanceRules, type ReportCategory, reports, statuses } from "../../db/schema/index.ts";
import { AppError, notFound } from "../../lib/errors.ts";
import { isId } from "../../lib/ids.ts";
import { keyset, type Page } from "../paging.ts";
import type { Report } from "../reports/reports.ts";
import { audit } from "./audit.ts";

export interface AdminReportFilter {
  /** true: resolved only; false: open only; undefined: both. */
  resolved?: boolean;
  accountId?: string;
  targetAccountId?: string;
}

/** One page, newest report first (the primary key, or the reporter's or target's index). */
export async function listAdminReports(
  db: Tx,
  filter: AdminReportFilter,
  page: Page,
): Promise<Report[]> {
  const { where, order, newestFirst } = keyset(reports.id, page);
  const conds: SQL[] = [...where];
  if (filter.resolved === true) conds.push(isNotNull(reports.actionTakenAt));
  if (filter.resolved === false) conds.push(isNull(reports.actionTakenAt));
  if (filter.accountId) conds.push(eq(reports.accountId, filter.accountId));
  if (filter.targetAccountId) conds.push(eq(reports.targetAccountId, filter.targetAccountId));
  const rows = await db
    .select()
    .from(reports)
    .where(and(...conds))
    .orderBy(order)
    .limit(page.limit);
  return newestFirst(rows);
}

export async function getAdminReport(db: Tx, id: string): Promise<Report> {
  if (!isId(id)) throw notFound();
  const [row] = await db.select().from(reports).where(eq(reports.id, id));
  if (!row) throw notFound();
  return row;
}

/** One change to a report and its audit-log row, in one transaction. */
async function change(
  db: Db,
  id: string,
  set: Partial<Report>,
  log: { actorId: string | null; action: string; detail?: Record<string, unknown> },
): Promise<Report> {
  return db.transaction(async (tx) => {
    const [row] = await tx
      .update(reports)
      .set({ ...set, updatedAt: new Date() })
      .where(eq(reports.id, id))
      .returning();
    if (!row) throw notFound();
    await audit(tx, { ...log, targetType: "report", targetId: id, targetLabel: `#${id}` });
    return row;
  });
}

export interface ReportUpdate {
  category?: ReportCategory;
  ruleIds?: string[];
}

/** `PUT /api/v1/admin/reports/:id`: a new category and rules, checked as filing checks them. */
export async function updateReport(
  db: Db,
  report: Report,
  input: ReportUpdate,
  actorId: string,
): Promise<Report> {
  const category = input.category ?? report.category;
  const ruleIds = input.ruleIds ?? (category === "violation" ? report.ruleIds : []);
  if (ruleIds.length && category !== "violation")
    throw new AppError(422, "Validation failed: rule_ids are only for the violation category");
  if (ruleIds.length) {
    const known = await db
      .select({ id: instanceRules.id })
      .from(instanceRules)
      .where(inArray(instanceRules.id, ruleIds));
    if (known.length !== new Set(ruleIds).size)
      throw new AppError(422, "Validation failed: rule_ids: no such rule");
  }
  const set = { category, ruleIds: [...new Set(ruleIds)] };
  return change(db, report.id, set, { actorId, action: "update", detail: set });
}

/** Assigns the report to the acting moderator, or (`assign: false`) to nobody. */
export const assignReport = (db: Db, report: Report, actorId: string, assign: boolean) =>
  change(
    db,
    report.id,
    { assignedAccountId: assign ? actorId : null },
    { actorId, action: assign ? "assign_to_self" : "unassign" },
  );

export const resolveReport = (db: Db, report: Report, moderatorId: string) =>
  change(
    db,
    report.id,
    { actionTakenAt: new Date(), actionTakenByAccountId: moderatorId },
    { actorId: moderatorId, action: "resolve" },
  );

export const reopenReport = (db: Db, report: Report, actorId: string) =>
  change(
    db,
    report.id,
    { actionTakenAt: null, actionTakenByAccountId: null },
    { actorId, action: "reopen" },
  );

/** The reported statuses still stored (they may have been deleted since), for the entity. */
export async function reportedStatuses(db: Tx, rows: Report[]) {
  const ids = [...new Set(rows.flatMap((r) => r.statusIds))];
  return ids.length ? db.select().from(statuses).where(inArray(statuses.id, ids)) : [];
}

export async function reportedRules(db: Tx, rows: Report[]) {
  const ids = [...new Set(rows.flatMap((r) => r.ruleIds))];
  return ids.length ? db.select().from(instanceRules).where(inArray(instanceRules.id, ids)) : [];
}
