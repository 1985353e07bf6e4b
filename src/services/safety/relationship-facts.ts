import { sql } from "drizzle-orm";
import { queryRows, type Tx } from "../../db/client.ts";

/** The safety side of a Relationship: blocks both ways, the viewer's mute and domain block. */
export interface SafetyFacts {
  blocking: boolean;
  blockedBy: boolean;
  muting: boolean;
  mutingNotifications: boolean;
  mutingExpiresAt: Date | null;
  domainBlocking: boolean;
}

export const NO_SAFETY_FACTS: SafetyFacts = {
  blocking: false,
  blockedBy: false,
  muting: false,
  mutingNotifications: false,
  mutingExpiresAt: null,
  domainBlocking: false,
};

interface Row {
  id: string;
  blocking: boolean;
  blocked_by: boolean;
  mute_notifications: boolean | null;
  mute_expires_at: string | Date | null;
  domain_blocking: boolean;
}

/** The facts for many targets in one query (each a probe of a unique or leading index). */
export async function safetyFacts(
  db: Tx,
  viewerId: string,
  targetIds: string[],
): Promise<Map<string, SafetyFacts>> {
  if (targetIds.length === 0) return new Map();
  const rows = await queryRows<Row>(
    db,
    sql`
    select a.id::text as id,
      exists (select 1 from blocks b where b.account_id = ${viewerId} and b.target_account_id = a.id) as blocking,
      exists (select 1 from blocks b where b.account_id = a.id and b.target_account_id = ${viewerId}) as blocked_by,
      m.hide_notifications as mute_notifications, m.expires_at as mute_expires_at,
      exists (select 1 from account_domain_blocks d where d.account_id = ${viewerId} and d.domain = a.domain) as domain_blocking
    from accounts a
    left join mutes m on m.account_id = ${viewerId} and m.target_account_id = a.id
      and (m.expires_at is null or m.expires_at > now())
    where a.id in (${sql.join(
      targetIds.map((id) => sql`${id}::bigint`),
      sql`, `,
    )})`,
  );
  return new Map(
    rows.map((r) => [
      String(r.id),
      {
        blocking: r.blocking,
        blockedBy: r.blocked_by,
        muting: r.mute_notifications !== null,
        mutingNotifications: r.mute_notifications === true,
        mutingExpiresAt: r.mute_expires_at ? new Date(r.mute_expires_at) : null,
        domainBlocking: r.domain_blocking,
      },
    ]),
  );
}
