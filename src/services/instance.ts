import { sql } from "drizzle-orm";
import { type Db, queryRows } from "../db/client.ts";

/** Numbers the instance endpoints show. */
export async function instanceStats(
  db: Db,
): Promise<{ localStatuses: number; domains: number; activeMonth: number }> {
  const [row] = await queryRows<{ local_statuses: number; domains: number; active_month: number }>(
    db,
    sql`select
      (select count(*)::int from statuses where local) as local_statuses,
      (select count(distinct domain)::int from accounts where domain is not null) as domains,
      (select count(distinct account_id)::int from statuses where local and created_at > now() - interval '30 days') as active_month`,
  );
  return { localStatuses: row.local_statuses, domains: row.domains, activeMonth: row.active_month };
}
