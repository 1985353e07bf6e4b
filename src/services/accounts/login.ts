import { eq } from "drizzle-orm";
import type { RateLimits } from "../../config/index.ts";
import type { Db } from "../../db/client.ts";
import { localUsers } from "../../db/schema/index.ts";
import { clear, hit, isOver } from "../rate-limits.ts";
import { type Account, authenticate } from "./accounts.ts";
import { unconfirmedSql } from "./email.ts";

export interface LoginInput {
  /** The client's address bucket (an IPv4 address or IPv6 /64). */
  ip: string;
  /** As typed, without a leading @ or our own host. */
  username: string;
  password: string;
}

export type LoginResult =
  | { ok: true; account: Account }
  | { ok: false; reason: "wrong" }
  /** The right password, but the account waits for a moderator's approval. */
  | { ok: false; reason: "pending" }
  /** The right password, but the e-mail address was never confirmed (only with SMTP). */
  | { ok: false; reason: "unconfirmed" }
  /** The right password, but the moderators suspended the account: told so, with a 403. */
  | { ok: false; reason: "suspended" }
  /** The right password, but a moderator disabled the account's login: told so, with a 403. */
  | { ok: false; reason: "disabled" }
  /** Too many attempts: from this address (`ip`), or on this account name (`account`). */
  | { ok: false; reason: "ip" | "account"; retryAfter: number };

/** What the sign-in forms say to an account a moderator has not approved yet. */
export const PENDING_APPROVAL =
  "Your account is pending approval: a moderator of this server has to approve it before you can sign in.";

/** What the sign-in forms say before the address is confirmed (Mastodon's words, and the way out). */
export const UNCONFIRMED_FORM =
  "Your login is missing a confirmed e-mail address: follow the link in the e-mail we sent you.";
/** What an account whose login a moderator disabled is told when it tries to log in. */
export const DISABLED_LOGIN =
  "Your login has been disabled by the moderators of this server; your account and posts stay visible.";

/** What a suspended account is told when it tries to log in. */
export const SUSPENDED_LOGIN = "This account has been suspended by the moderators of this server.";

// Huge inputs would only make the password hash slow; nobody's password is this long.
const MAX_USERNAME = 100;
const MAX_PASSWORD = 1024;

/**
 * A password login, throttled twice: every attempt from one address counts against
 * `loginIp` (whatever account it tries), and every attempt on one account name against
 * `loginAccount`. An account past its limit refuses every login until the window is over, the
 * right password included, or a guesser could keep trying and just wait for a success. The
 * count is kept by name, known or not, so a locked name does not reveal that it exists; the
 * right password clears it. Attempts are counted before the password is checked, in one
 * statement, so parallel guesses cannot slip past the limit.
 */
export async function passwordLogin(
  db: Db,
  limits: Pick<RateLimits, "loginIp" | "loginAccount">,
  input: LoginInput,
): Promise<LoginResult> {
  const username = input.username.slice(0, MAX_USERNAME + 1);
  const accountKey = `login:account:${username.toLowerCase()}`;
  const checks = [];
  if (limits.loginIp) checks.push({ key: `login:ip:${input.ip}`, limit: limits.loginIp });
  if (limits.loginAccount) checks.push({ key: accountKey, limit: limits.loginAccount });
  const counted = await hit(db, checks);
  const byIp = counted.find((c) => c.key !== accountKey && isOver(c));
  if (byIp) return { ok: false, reason: "ip", retryAfter: byIp.retryAfter };
  const byAccount = counted.find((c) => c.key === accountKey && isOver(c));
  if (byAccount) return { ok: false, reason: "account", retryAfter: byAccount.retryAfter };

  const { password } = input;
  const plausible =
    username !== "" &&
    username.length <= MAX_USERNAME &&
    password !== "" &&
    password.length <= MAX_PASSWORD;
  const account = plausible ? await authenticate(db, username, password) : undefined;
  if (!account) return { ok: false, reason: "wrong" };
  if (limits.loginAccount) await clear(db, accountKey);
  const refused = await signInRefusal(db, account);
  return refused ? { ok: false, reason: refused } : { ok: true, account };
}

/**
 * Why a login whose password was right may not sign in now, or null when it may. Told only
 * after the right password (the answer reveals nothing to a guesser); the OAuth account chooser
 * asks again when the choice is made, minutes later.
 */
export async function signInRefusal(
  db: Db,
  account: Account,
): Promise<"suspended" | "unconfirmed" | "pending" | "disabled" | null> {
  if (account.suspendedAt) return "suspended";
  const [user] = await db
    .select({
      approved: localUsers.approved,
      disabledAt: localUsers.disabledAt,
      unconfirmed: unconfirmedSql,
    })
    .from(localUsers)
    .where(eq(localUsers.accountId, account.id));
  // Mastodon's order: confirmation first, then approval. No local user row: not a login.
  if (user?.unconfirmed) return "unconfirmed";
  if (!user?.approved) return "pending";
  if (user.disabledAt) return "disabled";
  return null;
}
