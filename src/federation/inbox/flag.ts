import type { InboxContext } from "@fedify/fedify";
import type { Flag } from "@fedify/vocab";
import { logger } from "../../lib/logger.ts";
import { flaggedLocal, receiveFlag, rejectsReportsFrom } from "../../services/reports/reports.ts";
import type { FedContext } from "../context.ts";
import { senderAccount } from "./shared.ts";

const log = logger("federation", "inbox");

/**
 * A remote server reports one of our accounts (and some of its posts): a report for our
 * moderators, whose reporter is the sending actor (usually that server's instance actor).
 * Flags from a domain the server blocks with `reject_reports` are dropped unread.
 */
export async function onFlag(ctx: InboxContext<FedContext>, flag: Flag): Promise<void> {
  if (!flag.id || !flag.actorId) return;
  const { db } = ctx.data;
  if (await rejectsReportsFrom(db, flag.actorId.host)) {
    log.info("Dropped Flag {id}: reports from {host} are rejected", {
      id: flag.id.href,
      host: flag.actorId.host,
    });
    return;
  }
  const flagged = await flaggedLocal(
    db,
    flag.objectIds.map((u) => u.href),
  );
  if (!flagged) return;
  const reporter = await senderAccount(ctx, flag);
  if (!reporter || reporter.domain === null) return;
  const created = await receiveFlag(db, reporter, {
    uri: flag.id.href,
    target: flagged.target,
    statusIds: flagged.statusIds,
    comment: flag.content?.toString() ?? "",
  });
  if (created)
    log.info("{actor} reports {target}", { actor: reporter.uri, target: flagged.target.username });
}
