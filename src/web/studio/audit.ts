/**
 * The studio's entries in the team audit log: who (the login) did what for which account (the
 * acting one). Written through the teams service, so `/studio/accounts/:id` lists them with the
 * member changes.
 */
import type { Db } from "../../db/client.ts";
import type { WebSession } from "../../services/sessions/web-sessions.ts";
import { recordAudit } from "../../services/teams/audit.ts";

export type StudioAction =
  | "status.create"
  | "status.schedule"
  | "scheduled.update"
  | "scheduled.cancel"
  | "draft.create"
  | "draft.update"
  | "draft.delete";

export async function recordStudioAction(
  db: Db,
  session: WebSession,
  action: StudioAction,
  detail: { statusId?: string; scheduledStatusId?: string; draftId?: string } = {},
): Promise<void> {
  const { statusId, ...rest } = detail;
  await recordAudit(db, {
    accountId: session.acting.account.id,
    actorAccountId: session.account.id,
    action,
    statusId,
    detail: rest,
  });
}
