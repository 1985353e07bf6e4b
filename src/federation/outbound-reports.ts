import type { Context } from "@fedify/fedify";
import { Flag } from "@fedify/vocab";
import { inArray } from "drizzle-orm";
import { statuses } from "../db/schema/index.ts";
import { getAccount } from "../services/accounts/accounts.ts";
import { getReport } from "../services/reports/reports.ts";
import { type FedContext, INSTANCE_ACTOR } from "./context.ts";
import { recipientOf } from "./outbound.ts";

/**
 * A forwarded report: `Flag` from the instance actor (as Mastodon sends it, so the reporter
 * stays anonymous to the other server) to the target's server, shared inbox when known. Its
 * objects are the target actor and the reported statuses still here; `content` the comment.
 */
export async function sendFlag(ctx: Context<FedContext>, reportId: string): Promise<void> {
  const { db } = ctx.data;
  const report = await getReport(db, reportId);
  if (!report?.forwarded) return;
  const target = await getAccount(db, report.targetAccountId).catch(() => null);
  if (!target || target.domain === null || !target.inboxUrl) return;
  const posts = report.statusIds.length
    ? await db
        .select({ uri: statuses.uri })
        .from(statuses)
        .where(inArray(statuses.id, report.statusIds))
    : [];
  const flag = new Flag({
    id: new URL(report.uri),
    actor: ctx.getActorUri(INSTANCE_ACTOR),
    objects: [new URL(target.uri), ...posts.map((p) => new URL(p.uri))],
    content: report.comment,
  });
  await ctx.sendActivity({ identifier: INSTANCE_ACTOR }, recipientOf(target), flag, {
    preferSharedInbox: true,
  });
}
