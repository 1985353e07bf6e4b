/**
 * Signing up (`POST /api/v1/accounts`, the sign-up page, invite links). The rules are
 * Mastodon's: usernames of letters, digits and underscores (at most 30), passwords of 8 to 72
 * characters, the server's rules agreed to; mistakes are reported per field with Mastodon's
 * error codes (`ERR_TAKEN`, `ERR_BLANK`...). Under `approval` the account waits for a moderator
 * (it cannot sign in or use a token); a valid invite lets anyone in, whatever the mode. Every
 * moderator and admin is told of each sign-up (`admin.sign_up`), in the same transaction.
 */
import { inArray, sql } from "drizzle-orm";
import type { Limit } from "../../config/index.ts";
import type { Db, Tx } from "../../db/client.ts";
import { localUsers } from "../../db/schema/index.ts";
import { AppError } from "../../lib/errors.ts";
import { logger } from "../../lib/logger.ts";
import { followAccount } from "../follows/follows.ts";
import type { MailSettings } from "../mail/queue.ts";
import { notify } from "../notifications/notify.ts";
import { createAccessToken, type IssuedToken } from "../oauth/tokens.ts";
import { hit, isOver } from "../rate-limits.ts";
import {
  type Account,
  createLocalAccount,
  findLocalAccount,
  getAccount,
  RESERVED_USERNAMES,
} from "./accounts.ts";
import { issueConfirmation } from "./email.ts";
import { findUsableInvite, type Invite, useInvite } from "./invites.ts";
import { registrationMode } from "./registrations.ts";

const log = logger("accounts", "sign-up");

export const MIN_PASSWORD = 8;
/** Mastodon's maximum (bcrypt's); apps check against it too. */
export const MAX_PASSWORD = 72;
export const MAX_USERNAME = 30;
/** Mastodon's limit on the text of a request to join. */
export const MAX_REASON = 420;
const MAX_EMAIL = 254;

/** Names people expect to be staff (Mastodon's defaults), on top of those the server needs. */
const STAFF_NAMES = new Set([
  "administrator",
  "webmaster",
  "postmaster",
  "hostmaster",
  "support",
  "help",
  "mod",
  "moderator",
  "moderators",
  "abuse",
  "security",
  "staff",
  "owner",
  "system",
  "tern",
]);

export type FieldErrorCode =
  | "ERR_BLANK"
  | "ERR_INVALID"
  | "ERR_TAKEN"
  | "ERR_RESERVED"
  | "ERR_ACCEPTED"
  | "ERR_TOO_LONG"
  | "ERR_TOO_SHORT"
  | "ERR_INCLUSION";
export interface FieldError {
  error: FieldErrorCode;
  description: string;
}
export type FieldErrors = Record<string, FieldError[]>;

const LABELS: Record<string, string> = {
  username: "Username",
  password: "Password",
  email: "Email",
  agreement: "Agreement",
  locale: "Locale",
  reason: "Reason",
  invite_code: "Invite code",
};

/** A 422 with Mastodon's `details` (the router renders them). */
export class SignUpValidationError extends AppError {
  readonly details: FieldErrors;
  constructor(details: FieldErrors) {
    const parts = Object.entries(details).flatMap(([field, errors]) =>
      errors.map((e) => `${LABELS[field] ?? field} ${e.description}`),
    );
    super(422, `Validation failed: ${parts.join(", ")}`);
    this.details = details;
  }
}

export interface SignUpInput {
  username: string;
  password: string;
  email?: string;
  agreement: boolean;
  locale?: string;
  reason?: string;
  inviteCode?: string;
  displayName?: string;
  /** The client's address bucket, kept for the approval queue. */
  ip: string;
  /** With SMTP: the e-mail is required and must be confirmed by a mailed link before login. */
  confirmation?: MailSettings;
  /** Issue a token for this app in the same transaction (`POST /api/v1/accounts`). */
  token?: { appId: string | null; scopes: string[] };
}

export interface SignUpResult {
  account: Account;
  /** False while it waits for a moderator. */
  approved: boolean;
  token?: IssuedToken;
}

/** The usernames a newcomer may not take (a moderator may still give them out by the CLI). */
export const isReservedUsername = (name: string) =>
  RESERVED_USERNAMES.has(name.toLowerCase()) || STAFF_NAMES.has(name.toLowerCase());

async function validate(db: Tx, input: SignUpInput): Promise<FieldErrors> {
  const details: FieldErrors = {};
  const add = (field: string, error: FieldErrorCode, description: string) => {
    details[field] ??= [];
    details[field].push({ error, description });
  };
  const { username, password, email, locale, reason } = input;
  if (username === "") add("username", "ERR_BLANK", "can't be blank");
  else if (!/^[a-z0-9_]+$/i.test(username))
    add("username", "ERR_INVALID", "must contain only letters, numbers and underscores");
  else if (username.length > MAX_USERNAME)
    add("username", "ERR_TOO_LONG", `is too long (maximum is ${MAX_USERNAME} characters)`);
  else if (isReservedUsername(username)) add("username", "ERR_RESERVED", "is reserved");
  else if (await findLocalAccount(db, username))
    add("username", "ERR_TAKEN", "has already been taken");
  if (password === "") add("password", "ERR_BLANK", "can't be blank");
  else if (password.length < MIN_PASSWORD)
    add("password", "ERR_TOO_SHORT", `is too short (minimum is ${MIN_PASSWORD} characters)`);
  else if (password.length > MAX_PASSWORD)
    add("password", "ERR_TOO_LONG", `is too long (maximum is ${MAX_PASSWORD} characters)`);
  if (!email && input.confirmation) add("email", "ERR_BLANK", "can't be blank");
  if (email) {
    if (email.length > MAX_EMAIL || !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email))
      add("email", "ERR_INVALID", "is invalid");
    else {
      const [taken] = await db
        .select({ id: localUsers.accountId })
        .from(localUsers)
        .where(sql`lower(${localUsers.email}) = lower(${email})`)
        .limit(1);
      if (taken) add("email", "ERR_TAKEN", "has already been taken");
    }
  }
  if (!input.agreement) add("agreement", "ERR_ACCEPTED", "must be accepted");
  if (locale && !/^[a-z]{2,3}([-_][A-Za-z0-9]{2,8}){0,2}$/.test(locale))
    add("locale", "ERR_INCLUSION", "is not included in the list");
  if (reason && [...reason].length > MAX_REASON)
    add("reason", "ERR_TOO_LONG", `is too long (maximum is ${MAX_REASON} characters)`);
  return details;
}

/** Tells every local moderator and admin, in the sign-up's transaction. */
async function notifyStaff(tx: Tx, account: Account): Promise<void> {
  const staff = await tx
    .select({ id: localUsers.accountId })
    .from(localUsers)
    .where(inArray(localUsers.role, ["moderator", "admin"]));
  for (const { id } of staff)
    await notify(tx, { accountId: id, type: "admin.sign_up", fromAccountId: account.id });
}

/**
 * Creates the account if the server lets this person in: 403 ("This action is not allowed",
 * Mastodon's answer) when registrations are closed and no valid invite came; a
 * SignUpValidationError for bad fields. Nothing is written unless all of it succeeds.
 */
export async function signUp(db: Db, publicUrl: string, input: SignUpInput): Promise<SignUpResult> {
  const mode = await registrationMode(db);
  const invite: Invite | undefined = input.inviteCode
    ? await findUsableInvite(db, input.inviteCode)
    : undefined;
  if (mode === "closed" && !invite) throw new AppError(403, "This action is not allowed");
  const details = await validate(db, input);
  const expired: FieldError = { error: "ERR_INVALID", description: "is invalid or expired" };
  if (input.inviteCode && !invite) details.invite_code = [expired];
  if (Object.keys(details).length > 0) throw new SignUpValidationError(details);

  const approved = Boolean(invite) || mode === "open";
  let token: IssuedToken | undefined;
  const account = await createLocalAccount(db, publicUrl, {
    username: input.username,
    password: input.password,
    displayName: input.displayName,
    user: {
      approved,
      signUpReason: input.reason || null,
      email: input.email || null,
      locale: input.locale || null,
      inviteId: invite?.id ?? null,
      signUpIp: input.ip,
    },
    async inTransaction(tx, created) {
      // Counted in the transaction: two sign-ups racing for an invite's last use cannot both win.
      if (invite && !(await useInvite(tx, invite.code)))
        throw new SignUpValidationError({ invite_code: [expired] });
      await notifyStaff(tx, created);
      if (input.confirmation && input.email)
        await issueConfirmation(tx, input.confirmation, created.id, input.email);
      if (input.token)
        token = await createAccessToken(tx, { ...input.token, accountId: created.id });
    },
  }).catch((err) => {
    // Taken between the check and the insert: the same answer as the check would have given.
    if (err instanceof AppError && !(err instanceof SignUpValidationError) && err.status === 422)
      throw new SignUpValidationError({
        username: [{ error: "ERR_TAKEN", description: "has already been taken" }],
      });
    throw err;
  });
  if (invite?.autofollow) {
    // A courtesy, not part of joining: a block or a gone inviter must not fail the sign-up.
    await followAccount(db, account, await getAccount(db, invite.accountId)).catch((err) =>
      log.warn("Invite autofollow of {inviter} failed: {err}", { inviter: invite.accountId, err }),
    );
  }
  return { account, approved, token };
}

/**
 * Counts a sign-up attempt from an address bucket against the sign-up limit: the same counter
 * as `POST /api/v1/accounts` (middleware/rate-limit.ts), so the page and the API share it.
 * Returns the seconds to wait when over the limit, else null.
 */
export async function countSignUpAttempt(
  db: Db,
  limit: Limit | null,
  ip: string,
): Promise<number | null> {
  if (!limit) return null;
  const [counted] = await hit(db, [{ key: `sign-up:ip:${ip}`, limit }]);
  return isOver(counted) ? counted.retryAfter : null;
}
