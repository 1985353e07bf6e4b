import type { Tx } from "../../../db/client.ts";
import type { UserRole } from "../../../db/schema/index.ts";
import type { AdminAccountRow } from "../../../services/admin/accounts.ts";
import { type MastodonAccount, serializeAccounts } from "./account.ts";

/** Mastodon's Role entity (https://docs.joinmastodon.org/entities/Role/). */
export interface MastodonRole {
  id: string;
  name: string;
  color: string;
  /** A bitmask of Mastodon's permission flags, as a decimal string. */
  permissions: string;
  highlighted: boolean;
}

/**
 * Tern's three roles as Mastodon's built-in ones (their ids and permission flags): everyone
 * (-99, invite_users), Moderator (1: dashboard, audit log, users, reports, taxonomies) and
 * Admin (2: the administrator flag, which grants every permission).
 */
const ROLES: Record<UserRole, MastodonRole> = {
  user: { id: "-99", name: "", color: "", permissions: String(1 << 16), highlighted: false },
  moderator: {
    id: "1",
    name: "Moderator",
    color: "",
    permissions: String((1 << 3) | (1 << 2) | (1 << 10) | (1 << 4) | (1 << 8)),
    highlighted: true,
  },
  admin: { id: "2", name: "Admin", color: "", permissions: "1", highlighted: true },
};

export const roleEntity = (role: UserRole): MastodonRole => ROLES[role];

/** Mastodon's Admin::Account entity (https://docs.joinmastodon.org/entities/Admin_Account/). */
export interface MastodonAdminAccount {
  id: string;
  username: string;
  domain: string | null;
  created_at: string;
  email: string | null;
  ip: string | null;
  ips: { ip: string; used_at: string }[];
  locale: string | null;
  invite_request: string | null;
  role: MastodonRole | null;
  confirmed: boolean;
  approved: boolean;
  disabled: boolean;
  silenced: boolean;
  suspended: boolean;
  sensitized: boolean;
  account: MastodonAccount;
  created_by_application_id: string | null;
  invited_by_account_id: string | null;
}

/** Admin accounts with their public Account inside, in a constant number of queries. */
export async function serializeAdminAccounts(
  db: Tx,
  rows: AdminAccountRow[],
  publicUrl: string,
): Promise<MastodonAdminAccount[]> {
  const publicOnes = await serializeAccounts(
    db,
    rows.map((r) => r.account),
    publicUrl,
  );
  return rows.map(({ account: a, user: u }, i) => ({
    id: a.id,
    username: a.username,
    domain: a.domain,
    created_at: a.createdAt.toISOString(),
    email: u ? (u.email ?? "") : null,
    // Only the sign-up address is kept (no per-login history).
    ip: u?.signUpIp ?? null,
    ips: u?.signUpIp ? [{ ip: u.signUpIp, used_at: u.createdAt.toISOString() }] : [],
    locale: u ? (u.locale ?? "") : null,
    invite_request: u?.signUpReason ?? null,
    role: u ? roleEntity(u.role) : null,
    // No e-mail confirmation exists yet: a local account is confirmed once it exists.
    confirmed: u !== null,
    approved: u ? u.approved : true,
    disabled: u?.disabledAt != null,
    silenced: a.silencedAt !== null,
    suspended: a.suspendedAt !== null,
    sensitized: a.sensitizedAt !== null,
    account: publicOnes[i],
    created_by_application_id: null,
    invited_by_account_id: null,
  }));
}
