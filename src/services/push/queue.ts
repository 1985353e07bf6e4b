import { sql } from "drizzle-orm";
import { queryRows, type Tx } from "../../db/client.ts";
import { notifyQueue, TERN_QUEUE, type TernJob } from "../jobs.ts";

/**
 * In a notification's transaction: queues its Web Push when it was really written (not absorbed
 * as a repeat) and its recipient has a subscription at all. One statement; the worker then picks
 * the subscriptions that want it (services/push/deliver.ts).
 */
export async function queuePush(tx: Tx, notificationId: string, accountId: string): Promise<void> {
  const job: TernJob = { type: "push.notification", notificationId };
  const rows = await queryRows<{ id: unknown }>(
    tx,
    sql`insert into jobs (queue, payload)
      select ${TERN_QUEUE}, ${JSON.stringify(job)}::jsonb
      where exists (select 1 from notifications where id = ${notificationId}::bigint)
        and exists (select 1 from push_subscriptions where account_id = ${accountId}::bigint)
      returning id`,
  );
  if (rows.length) await notifyQueue(tx, TERN_QUEUE);
}
