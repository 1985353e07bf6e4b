/**
 * The admin audit log (`/admin/audit`): every moderation and instance-settings action writes one
 * row in the transaction of the change it records, so the log never claims what did not happen
 * nor misses what did.
 */
import { and, desc, eq, lt } from "drizzle-orm";
import type { Tx } from "../../db/client.ts";
import { accounts, adminActionLogs } from "../../db/schema/index.ts";
import { newId } from "../../lib/ids.ts";

/** The acting staff account's id; null for the CLI (the server's owner). */
export type AdminActor = string | null;

export interface AuditEntry {
  actorId: AdminActor;
  action: string;
  targetType: "account" | "report" | "domain_block" | "domain_allow" | "instance_settings";
  targetId?: string | null;
  targetLabel?: string | null;
  detail?: Record<string, unknown>;
}

export async function audit(tx: Tx, entry: AuditEntry): Promise<void> {
  await tx.insert(adminActionLogs).values({
    id: newId(),
    accountId: entry.actorId,
    action: entry.action,
    targetType: entry.targetType,
    targetId: entry.targetId ?? null,
    targetLabel: entry.targetLabel ?? null,
    detail: entry.detail ?? {},
  });
}

/** An account's name as the log shows it (`alice`, `bob@remote.example`). */
export const acctLabel = (a: { username: string; domain: string | null }) =>
  a.domain ? `${a.username}@${a.domain}` : a.username;

export interface AuditRow {
  log: typeof adminActionLogs.$inferSelect;
  actor: { username: string; domain: string | null } | null;
}

/** One page of the log, newest first (keyset on the id: an index scan at any depth). */
export async function listAuditLog(
  db: Tx,
  page: { limit: number; maxId?: string },
): Promise<AuditRow[]> {
  const rows = await db
    .select({
      log: adminActionLogs,
      username: accounts.username,
      domain: accounts.domain,
    })
    .from(adminActionLogs)
    .leftJoin(accounts, eq(accounts.id, adminActionLogs.accountId))
    .where(and(page.maxId ? lt(adminActionLogs.id, page.maxId) : undefined))
    .orderBy(desc(adminActionLogs.id))
    .limit(page.limit);
  return rows.map((r) => ({
    log: r.log,
    actor: r.username === null ? null : { username: r.username, domain: r.domain },
  }));
}
