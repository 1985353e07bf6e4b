import { and, eq, inArray, isNull } from "drizzle-orm";
import type { Db, Tx } from "../../db/client.ts";
import {
  accounts,
  domainBlocks,
  instanceRules,
  localUsers,
  type ReportCategory,
  reports,
  statuses,
} from "../../db/schema/index.ts";
import { AppError, notFound } from "../../lib/errors.ts";
import { newId } from "../../lib/ids.ts";
import type { Account } from "../accounts/accounts.ts";
import { enqueueJob } from "../jobs.ts";
import { notify } from "../notifications/notify.ts";
import { visibleOnly } from "../statuses/visibility.ts";

export type Report = typeof reports.$inferSelect;

/** Mastodon's limit on a report's comment. */
export const MAX_REPORT_COMMENT = 1000;
/** Other servers' limits differ: a Flag's comment is kept up to this, not refused. */
const MAX_REMOTE_COMMENT = 5000;

export interface ReportInput {
  target: Account;
  statusIds: string[];
  comment: string;
  category?: ReportCategory;
  ruleIds: string[];
  forward: boolean;
}

/** Tells every local moderator and admin of a new report, in its transaction. */
async function notifyModerators(tx: Tx, report: Report): Promise<void> {
  const staff = await tx
    .select({ id: localUsers.accountId })
    .from(localUsers)
    .where(inArray(localUsers.role, ["moderator", "admin"]));
  for (const { id } of staff) {
    await notify(tx, {
      accountId: id,
      type: "admin.report",
      fromAccountId: report.accountId,
      reportId: report.id,
    });
  }
}

/** The category as Mastodon settles it: rules given alone mean `violation`; rules need it. */
function settleCategory(input: ReportInput): ReportCategory {
  const category = input.category ?? (input.ruleIds.length ? "violation" : "other");
  if (input.ruleIds.length && category !== "violation")
    throw new AppError(422, "Validation failed: rule_ids are only for the violation category");
  return category;
}

async function checkedStatusIds(tx: Tx, reporter: Account, input: ReportInput) {
  const wanted = [...new Set(input.statusIds)];
  if (wanted.length === 0) return [];
  const rows = await tx
    .select()
    .from(statuses)
    .where(and(inArray(statuses.id, wanted), eq(statuses.accountId, input.target.id)));
  // Unknown, someone else's, or hidden from the reporter: the same 404, revealing nothing.
  const seen = await visibleOnly(tx, rows, reporter.id);
  if (seen.length !== wanted.length)
    throw notFound("status_ids: a status was not found among the reported account's");
  return wanted;
}

async function checkedRuleIds(tx: Tx, ruleIds: string[]) {
  const wanted = [...new Set(ruleIds)];
  if (wanted.length === 0) return [];
  const rows = await tx
    .select({ id: instanceRules.id })
    .from(instanceRules)
    .where(inArray(instanceRules.id, wanted));
  const known = new Set(rows.map((r) => r.id));
  const unknown = wanted.filter((id) => !known.has(id));
  if (unknown.length)
    throw new AppError(422, `Validation failed: rule_ids: no such rule ${unknown.join(", ")}`);
  return wanted;
}

/**
 * A local account reports another. Moderators are notified; with `forward` and a remote target,
 * a `Flag` goes to the target's server from the instance actor after commit (a job).
 */
export async function fileReport(
  db: Db,
  publicUrl: string,
  reporter: Account,
  input: ReportInput,
): Promise<Report> {
  if (reporter.domain !== null) throw new AppError(422, "Only local accounts can report from here");
  if (reporter.id === input.target.id) throw new AppError(422, "You cannot report yourself");
  if (input.comment.length > MAX_REPORT_COMMENT)
    throw new AppError(422, `Validation failed: comment is over ${MAX_REPORT_COMMENT} characters`);
  const category = settleCategory(input);
  const forwarded = input.forward && input.target.domain !== null;
  return db.transaction(async (tx) => {
    const statusIds = await checkedStatusIds(tx, reporter, input);
    const ruleIds = await checkedRuleIds(tx, input.ruleIds);
    const id = newId();
    const [report] = await tx
      .insert(reports)
      .values({
        id,
        accountId: reporter.id,
        targetAccountId: input.target.id,
        statusIds,
        ruleIds,
        category,
        comment: input.comment,
        forwarded,
        uri: `${publicUrl}/reports/${id}`,
      })
      .returning();
    await notifyModerators(tx, report);
    if (forwarded) await enqueueJob(tx, { type: "report.forward", reportId: report.id });
    return report;
  });
}

export interface ReceivedFlag {
  uri: string;
  target: Account;
  /** Local statuses of the target named by the Flag (others are dropped by the caller). */
  statusIds: string[];
  comment: string;
}

/** An inbound `Flag` about a local account: one report per Flag id, moderators notified once. */
export async function receiveFlag(db: Db, reporter: Account, flag: ReceivedFlag): Promise<boolean> {
  return db.transaction(async (tx) => {
    const [report] = await tx
      .insert(reports)
      .values({
        id: newId(),
        accountId: reporter.id,
        targetAccountId: flag.target.id,
        statusIds: [...new Set(flag.statusIds)],
        comment: flag.comment.slice(0, MAX_REMOTE_COMMENT),
        uri: flag.uri,
      })
      .onConflictDoNothing({ target: reports.uri })
      .returning();
    if (!report) return false;
    await notifyModerators(tx, report);
    return true;
  });
}

export async function getReport(db: Tx, id: string): Promise<Report | undefined> {
  const [row] = await db.select().from(reports).where(eq(reports.id, id));
  return row;
}

/**
 * True when the server blocks `host` (or a parent domain) with `reject_reports`: its Flags are
 * dropped. One indexed lookup per suffix of the host, only when a Flag arrives.
 */
export async function rejectsReportsFrom(db: Tx, host: string): Promise<boolean> {
  const name = host.toLowerCase().replace(/:\d+$/, "");
  const labels = name.split(".");
  const candidates = new Set([host.toLowerCase(), name]);
  for (let i = 1; i < labels.length - 1; i++) candidates.add(labels.slice(i).join("."));
  const [hit] = await db
    .select({ id: domainBlocks.id })
    .from(domainBlocks)
    .where(and(inArray(domainBlocks.domain, [...candidates]), eq(domainBlocks.rejectReports, true)))
    .limit(1);
  return Boolean(hit);
}

/**
 * What a Flag's objects name on this server, in two queries: the local accounts (by actor id)
 * and the local statuses (by uri). The target is the first account named, else the author of
 * the first status (Mastodon sends the actor first); only that account's statuses are kept.
 */
export async function flaggedLocal(
  db: Tx,
  uris: string[],
): Promise<{ target: Account; statusIds: string[] } | null> {
  if (uris.length === 0) return null;
  const [named, posts] = await Promise.all([
    db
      .select()
      .from(accounts)
      .where(and(inArray(accounts.uri, uris), isNull(accounts.domain))),
    db
      .select({ id: statuses.id, uri: statuses.uri, accountId: statuses.accountId })
      .from(statuses)
      .innerJoin(accounts, eq(accounts.id, statuses.accountId))
      .where(and(inArray(statuses.uri, uris), isNull(accounts.domain))),
  ]);
  const order = (uri: string) => uris.indexOf(uri);
  named.sort((a, b) => order(a.uri) - order(b.uri));
  posts.sort((a, b) => order(a.uri) - order(b.uri));
  const targetId = named[0]?.id ?? posts[0]?.accountId;
  if (!targetId) return null;
  const target =
    named.find((a) => a.id === targetId) ??
    (await db.select().from(accounts).where(eq(accounts.id, targetId)))[0];
  return { target, statusIds: posts.filter((p) => p.accountId === targetId).map((p) => p.id) };
}
