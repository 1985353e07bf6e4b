/**
 * The team audit log: who (which login) did what on an account. Written in the caller's
 * transaction so a change and its record stand or fall together.
 */
import { and, desc, eq, inArray, lt } from "drizzle-orm";
import type { Db, Tx } from "../../db/client.ts";
import { accountAuditLog, accounts } from "../../db/schema/index.ts";
import { newId } from "../../lib/ids.ts";

export type AuditEntry = typeof accountAuditLog.$inferSelect;

export interface AuditInput {
  accountId: string;
  /** Null: the instance's administrator at the console (`tern team`). */
  actorAccountId: string | null;
  action: string;
  statusId?: string;
  detail?: Record<string, unknown>;
}

export async function recordAudit(tx: Db | Tx, input: AuditInput): Promise<void> {
  await tx.insert(accountAuditLog).values({
    id: newId(),
    accountId: input.accountId,
    actorAccountId: input.actorAccountId,
    action: input.action,
    statusId: input.statusId ?? null,
    detail: input.detail ?? {},
  });
}

/** Newest first, keyset-paged by id (`maxId` excludes). */
export async function listAudit(
  db: Db | Tx,
  accountId: string,
  page: { maxId?: string; limit?: number } = {},
): Promise<AuditEntry[]> {
  const limit = Math.min(Math.max(page.limit ?? 40, 1), 200);
  return db
    .select()
    .from(accountAuditLog)
    .where(
      page.maxId
        ? and(eq(accountAuditLog.accountId, accountId), lt(accountAuditLog.id, page.maxId))
        : eq(accountAuditLog.accountId, accountId),
    )
    .orderBy(desc(accountAuditLog.id))
    .limit(limit);
}

/**
 * What a token a team member granted for another account changes (posts, edits, deletions,
 * schedules) goes to that account's log as the member. `grantedByAccountId` is the token's
 * (`AuthInfo.grantedByAccountId`): absent, or the account itself, records nothing.
 */
export async function recordMemberAction(
  tx: Db | Tx,
  grantedByAccountId: string | null | undefined,
  input: Omit<AuditInput, "actorAccountId">,
): Promise<void> {
  if (!grantedByAccountId || grantedByAccountId === input.accountId) return;
  await recordAudit(tx, { ...input, actorAccountId: grantedByAccountId });
}

/** The usernames of the logins that acted in `entries`, in one query whatever the page's size. */
export async function auditActorNames(
  db: Db | Tx,
  entries: AuditEntry[],
): Promise<Map<string, string>> {
  const ids = [...new Set(entries.flatMap((e) => (e.actorAccountId ? [e.actorAccountId] : [])))];
  if (ids.length === 0) return new Map();
  const rows = await db
    .select({ id: accounts.id, username: accounts.username })
    .from(accounts)
    .where(inArray(accounts.id, ids));
  return new Map(rows.map((r) => [r.id, r.username]));
}
