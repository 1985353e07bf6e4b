/**
 * Hook for the team audit log: the studio records who (the login) did what for which account.
 * Meant to be folded into the teams helper at merge; until then it writes the row itself.
 */
import type { Db } from "../../db/client.ts";
import { accountAuditLog } from "../../db/schema/index.ts";
import { newId } from "../../lib/ids.ts";
import type { WebSession } from "../../services/sessions/web-sessions.ts";

export async function recordStudioAction(
  db: Db,
  session: WebSession,
  action: "status.create" | "status.schedule" | "draft.create" | "draft.update",
  detail: { statusId?: string; scheduledStatusId?: string; draftId?: string } = {},
): Promise<void> {
  const { statusId, ...rest } = detail;
  await db.insert(accountAuditLog).values({
    id: newId(),
    accountId: session.acting.account.id,
    actorAccountId: session.account.id,
    action,
    statusId: statusId ?? null,
    detail: rest,
  });
}
