import { asc, sql } from "drizzle-orm";
import { type Db, queryRows, type Tx } from "../db/client.ts";
import { instanceRules, instanceSettings } from "../db/schema/index.ts";
import { idAtTime } from "../lib/ids.ts";

const DAY_MS = 86_400_000;
const WEEK_MS = 7 * DAY_MS;

/**
 * Numbers the instance endpoints show. Recent statuses are found by id range (ids grow with
 * time), so the monthly count reads the last 30 days of the primary key, not the whole table.
 */
export async function instanceStats(
  db: Db,
): Promise<{ localStatuses: number; domains: number; activeMonth: number }> {
  const since = idAtTime(Date.now() - 30 * DAY_MS);
  const [row] = await queryRows<{ local_statuses: number; domains: number; active_month: number }>(
    db,
    sql`select
      (select coalesce(sum(st.statuses_count), 0)::int from account_stats st join accounts a on a.id = st.account_id where a.domain is null) as local_statuses,
      (select count(distinct domain)::int from accounts where domain is not null) as domains,
      (select count(distinct account_id)::int from statuses where id >= ${since} and local) as active_month`,
  );
  return { localStatuses: row.local_statuses, domains: row.domains, activeMonth: row.active_month };
}

/**
 * What the admin set for the server (`instance_settings`), all keys in one read: the table holds
 * a handful of rows. Unknown or missing keys read as unset; each value is checked for its type.
 */
export interface InstanceSettings {
  title?: string;
  description?: string;
  extendedDescription?: string;
  contactEmail?: string;
  /** Username of the local account shown as the contact. */
  contactAccount?: string;
  languages?: string[];
  privacyPolicy?: string;
  termsOfService?: string;
  registrations?: { enabled: boolean; approvalRequired: boolean; message: string | null };
  /** Web Push keys; absent while push is off. */
  vapidPublicKey?: string;
  /** The server's picture as uploaded on the admin settings page (instance-settings.ts). */
  thumbnailUrl?: string;
  /** When each key was last changed (extended description and policies show it). */
  updatedAt: Record<string, Date>;
}

const str = (v: unknown) => (typeof v === "string" ? v : undefined);

export async function readInstanceSettings(db: Tx): Promise<InstanceSettings> {
  const rows = await db.select().from(instanceSettings);
  const v = new Map(rows.map((r) => [r.key, r.value as unknown]));
  const reg = v.get("registrations") as Record<string, unknown> | undefined;
  const vapid = v.get("vapid") as Record<string, unknown> | string | undefined;
  const langs = v.get("languages");
  return {
    title: str(v.get("title")),
    description: str(v.get("description")),
    extendedDescription: str(v.get("extended_description")),
    contactEmail: str(v.get("contact_email")),
    contactAccount: str(v.get("contact_account")),
    languages: Array.isArray(langs) ? langs.filter((l) => typeof l === "string") : undefined,
    privacyPolicy: str(v.get("privacy_policy")),
    termsOfService: str(v.get("terms_of_service")),
    registrations:
      reg && typeof reg === "object"
        ? {
            enabled: reg.enabled === true,
            approvalRequired: reg.approval_required === true,
            message: str(reg.message) ?? null,
          }
        : undefined,
    vapidPublicKey:
      typeof vapid === "string"
        ? vapid
        : vapid && typeof vapid === "object"
          ? (str(vapid.public_key) ?? str(vapid.publicKey))
          : undefined,
    thumbnailUrl: str((v.get("thumbnail") as Record<string, unknown> | undefined)?.url),
    updatedAt: Object.fromEntries(rows.map((r) => [r.key, r.updatedAt])),
  };
}

export async function listRules(db: Tx) {
  return db
    .select()
    .from(instanceRules)
    .orderBy(asc(instanceRules.position), asc(instanceRules.id));
}

/** Domains of the remote accounts this server knows (Mastodon's peers), sorted. */
export async function knownPeers(db: Tx): Promise<string[]> {
  const rows = await queryRows<{ domain: string }>(
    db,
    sql`select distinct domain from accounts where domain is not null order by domain`,
  );
  return rows.map((r) => r.domain);
}

export interface WeekActivity {
  week: string;
  statuses: string;
  logins: string;
  registrations: string;
}

/**
 * The last 12 weeks (this one first, as Mastodon), from one grouped query: local statuses (an id
 * range), accounts that signed in (tokens issued, Tern keeps no other login record) and sign-ups.
 * Weeks start on Monday, 00:00 UTC; Mastodon shows counts as strings.
 */
export async function weeklyActivity(db: Tx, now = Date.now()): Promise<WeekActivity[]> {
  const monday = new Date(now);
  monday.setUTCHours(0, 0, 0, 0);
  monday.setUTCDate(monday.getUTCDate() - ((monday.getUTCDay() + 6) % 7));
  const start = new Date(monday.getTime() - 11 * WEEK_MS);
  const rows = await queryRows<{
    week: string;
    statuses: number;
    logins: number;
    registrations: number;
  }>(
    db,
    sql`select (extract(epoch from date_trunc('week', e.at at time zone 'UTC')))::bigint::text as week,
        (count(*) filter (where e.kind = 's'))::int as statuses,
        (count(distinct e.account_id) filter (where e.kind = 'l'))::int as logins,
        (count(*) filter (where e.kind = 'r'))::int as registrations
      from (
        select created_at as at, 's' as kind, account_id from statuses
          where id >= ${idAtTime(start.getTime())} and local and reblog_of_id is null
        union all
        select created_at, 'l', account_id from access_tokens
          where created_at >= ${start.toISOString()} and account_id is not null
        union all
        select created_at, 'r', account_id from local_users where created_at >= ${start.toISOString()}
      ) e
      group by 1`,
  );
  const byWeek = new Map(rows.map((r) => [r.week, r]));
  return Array.from({ length: 12 }, (_, i) => {
    const week = String((monday.getTime() - i * WEEK_MS) / 1000);
    const r = byWeek.get(week);
    return {
      week,
      statuses: String(r?.statuses ?? 0),
      logins: String(r?.logins ?? 0),
      registrations: String(r?.registrations ?? 0),
    };
  });
}
