/**
 * The figures of the admin dashboard, in two or three queries whatever the server's size: counters and
 * small tables are counted exactly; the statuses table is not (it grows without bound), so remote
 * posts are PostgreSQL's planner estimate (`pg_class.reltuples`) less the local counter.
 */
import { sql } from "drizzle-orm";
import { queryRows, type Tx } from "../../db/client.ts";
import { idAtTime } from "../../lib/ids.ts";

const WEEK_MS = 7 * 86_400_000;

export interface DashboardFigures {
  users: { total: number; activeWeek: number; pendingApproval: number };
  /** `remoteEstimated`: the remote figure is an estimate (exact while the table is small). */
  posts: { local: number; remote: number; remoteEstimated: boolean };
  peers: number;
  /** Jobs by state: queued (due), running (leased), failed (waiting to retry), delayed (later). */
  jobs: { queued: number; running: number; failed: number; delayed: number };
  openReports: number;
  failingHosts: {
    host: string;
    failureCount: number;
    lastFailureAt: Date | null;
    unreachableSince: Date | null;
    lastError: string | null;
  }[];
}

/** Hosts listed, worst first. */
const FAILING_HOSTS = 20;

export async function dashboardFigures(db: Tx, now = Date.now()): Promise<DashboardFigures> {
  const weekAgo = new Date(now - WEEK_MS).toISOString();
  const [[row], hosts] = await Promise.all([
    queryRows<Record<string, number | boolean>>(
      db,
      sql`select
        (select count(*)::int from local_users) as users,
        (select count(*)::int from local_users where not approved) as pending,
        (select count(distinct account_id)::int from (
          select account_id from statuses where id >= ${idAtTime(now - WEEK_MS)} and local
          union select account_id from web_sessions where last_used_at >= ${weekAgo}
          union select account_id from access_tokens
            where created_at >= ${weekAgo} and account_id is not null
        ) active) as active_week,
        (select coalesce(sum(st.statuses_count), 0)::int from account_stats st
          join accounts a on a.id = st.account_id where a.domain is null) as local_posts,
        (select reltuples::bigint from pg_class where oid = 'statuses'::regclass) as estimate,
        (select count(distinct domain)::int from accounts where domain is not null) as peers,
        (select count(*)::int from reports where action_taken_at is null) as open_reports,
        j.running, j.failed, j.delayed, j.queued
      from (select
          (count(*) filter (where locked_until > now()))::int as running,
          (count(*) filter (where not coalesce(locked_until > now(), false)
            and last_error is not null))::int as failed,
          (count(*) filter (where not coalesce(locked_until > now(), false)
            and last_error is null and run_at > now()))::int as delayed,
          (count(*) filter (where not coalesce(locked_until > now(), false)
            and last_error is null and run_at <= now()))::int as queued
        from jobs) j`,
    ),
    queryRows<{
      host: string;
      failure_count: number;
      last_failure_at: string | Date | null;
      unreachable_since: string | Date | null;
      last_error: string | null;
    }>(
      db,
      sql`select host, failure_count, last_failure_at, unreachable_since, last_error
        from delivery_hosts where failure_count > 0
        order by unreachable_since nulls last, failure_count desc, host limit ${FAILING_HOSTS}`,
    ),
  ]);
  const local = Number(row.local_posts);
  // Never analysed (-1) or still small: counted exactly (cheap while it is small).
  const estimate = Number(row.estimate);
  const small = estimate < 10_000;
  const remote = small
    ? (
        await queryRows<{ n: number }>(
          db,
          sql`select count(*)::int as n from statuses where not local`,
        )
      )[0].n
    : Math.max(estimate - local, 0);
  const date = (v: string | Date | null) => (v === null ? null : new Date(v));
  return {
    users: {
      total: Number(row.users),
      activeWeek: Number(row.active_week),
      pendingApproval: Number(row.pending),
    },
    posts: { local, remote, remoteEstimated: !small },
    peers: Number(row.peers),
    jobs: {
      queued: Number(row.queued),
      running: Number(row.running),
      failed: Number(row.failed),
      delayed: Number(row.delayed),
    },
    openReports: Number(row.open_reports),
    failingHosts: hosts.map((h) => ({
      host: h.host,
      failureCount: h.failure_count,
      lastFailureAt: date(h.last_failure_at),
      unreachableSince: date(h.unreachable_since),
      lastError: h.last_error,
    })),
  };
}
