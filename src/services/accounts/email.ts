/**
 * E-mail confirmation and password reset (only with SMTP_URL). A link's token is random and only
 * its SHA-256 is stored; the mail itself is a queued job. An account is unconfirmed only while
 * it has a confirmation token hash and no `email_confirmed_at`: accounts made without SMTP have
 * no token and are never asked.
 */

import { and, eq, gt, sql } from "drizzle-orm";
import type { Limit } from "../../config/index.ts";
import type { Db, Tx } from "../../db/client.ts";
import { accounts, localUsers } from "../../db/schema/index.ts";
import { AppError } from "../../lib/errors.ts";
import {
  confirmationMail,
  type MailSettings,
  passwordResetMail,
  queueMail,
} from "../mail/queue.ts";
import { randomSecret, sha256Hex } from "../oauth/crypto.ts";
import { hit, isOver } from "../rate-limits.ts";
import { revokeAllTokensOf } from "../sessions/account-sessions.ts";
import { deleteAccountWebSessions } from "../sessions/web-sessions.ts";
import { hashPassword } from "./password-hash.ts";
import { MAX_PASSWORD, MIN_PASSWORD } from "./sign-up.ts";

/** Mastodon's answer to an unconfirmed account's login (API and sign-in forms). */
export const UNCONFIRMED_LOGIN = "Your login is missing a confirmed e-mail address";

const RESET_VALID_MS = 3_600_000;

/** A fresh confirmation link for `email` (set as the account's address), mailed after commit. */
export async function issueConfirmation(
  tx: Tx,
  mail: MailSettings,
  accountId: string,
  email: string,
): Promise<void> {
  const token = randomSecret();
  await tx
    .update(localUsers)
    .set({
      email,
      emailConfirmationTokenHash: sha256Hex(token),
      emailConfirmationSentAt: new Date(),
      emailConfirmedAt: null,
    })
    .where(eq(localUsers.accountId, accountId));
  await queueMail(tx, confirmationMail(mail, email, token));
}

/** SQL: the local user has not confirmed its address yet (see the top of this file). */
export const unconfirmedSql = sql<boolean>`(${localUsers.emailConfirmationTokenHash} is not null and ${localUsers.emailConfirmedAt} is null)`;

export async function isUnconfirmed(db: Tx, accountId: string): Promise<boolean> {
  const [row] = await db
    .select({ unconfirmed: unconfirmedSql })
    .from(localUsers)
    .where(eq(localUsers.accountId, accountId));
  return row?.unconfirmed ?? false;
}

/** The link of a confirmation mail: true when it confirmed an address (a used link is false). */
export async function confirmEmail(db: Db, token: string): Promise<boolean> {
  if (token === "" || token.length > 200) return false;
  const rows = await db
    .update(localUsers)
    .set({ emailConfirmedAt: new Date(), emailConfirmationTokenHash: null })
    .where(eq(localUsers.emailConfirmationTokenHash, sha256Hex(token)))
    .returning({ id: localUsers.accountId });
  return rows.length > 0;
}

/**
 * `POST /api/v1/emails/confirmations`: a new link, to a new address if one is given. 403 once
 * confirmed (Mastodon's wording), 422 for a bad or taken address.
 */
export async function resendConfirmation(
  db: Db,
  mail: MailSettings,
  accountId: string,
  newEmail?: string,
): Promise<void> {
  const [user] = await db
    .select({ email: localUsers.email, unconfirmed: unconfirmedSql })
    .from(localUsers)
    .where(eq(localUsers.accountId, accountId));
  if (!user?.unconfirmed)
    throw new AppError(
      403,
      "This method is only available while the e-mail is awaiting confirmation",
    );
  const email = newEmail ?? user.email;
  if (!email) throw new AppError(422, "email is missing");
  if (newEmail) await checkNewEmail(db, accountId, newEmail);
  await db.transaction((tx) => issueConfirmation(tx, mail, accountId, email));
}

async function checkNewEmail(db: Db, accountId: string, email: string): Promise<void> {
  if (email.length > 254 || !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email))
    throw new AppError(422, "Validation failed: Email is invalid");
  const [taken] = await db
    .select({ id: localUsers.accountId })
    .from(localUsers)
    .where(
      sql`lower(${localUsers.email}) = lower(${email}) and ${localUsers.accountId} <> ${accountId}`,
    )
    .limit(1);
  if (taken) throw new AppError(422, "Validation failed: Email has already been taken");
}

/**
 * "Forgot your password?": mails a one-hour link when the address belongs to a local account
 * that may sign in; says nothing either way (the page gives one answer to every address).
 */
export async function requestPasswordReset(
  db: Db,
  mail: MailSettings,
  email: string,
): Promise<void> {
  if (email === "" || email.length > 254) return;
  const [user] = await db
    .select({ accountId: localUsers.accountId, email: localUsers.email })
    .from(localUsers)
    .innerJoin(accounts, eq(accounts.id, localUsers.accountId))
    .where(sql`lower(${localUsers.email}) = lower(${email}) and ${accounts.suspendedAt} is null`)
    .limit(1);
  if (!user?.email) return;
  const token = randomSecret();
  await db.transaction(async (tx) => {
    await tx
      .update(localUsers)
      .set({
        passwordResetTokenHash: sha256Hex(token),
        passwordResetExpiresAt: new Date(Date.now() + RESET_VALID_MS),
      })
      .where(eq(localUsers.accountId, user.accountId));
    await queueMail(tx, passwordResetMail(mail, user.email as string, token));
  });
}

/** Whether a reset link is still good (the page shows the form only then). */
export async function resetTokenValid(db: Db, token: string): Promise<boolean> {
  if (token === "" || token.length > 200) return false;
  const [row] = await db
    .select({ id: localUsers.accountId })
    .from(localUsers)
    .where(liveReset(token));
  return Boolean(row);
}

const liveReset = (token: string) =>
  and(
    eq(localUsers.passwordResetTokenHash, sha256Hex(token)),
    gt(localUsers.passwordResetExpiresAt, new Date()),
  );

/**
 * Sets a new password from a reset link (the rules of /settings/password). The link works once;
 * every app token and signed-in browser of the account is signed out, as after a change.
 */
export async function resetPassword(db: Db, token: string, password: string): Promise<void> {
  if (password.length < MIN_PASSWORD)
    throw new AppError(422, `The new password must be at least ${MIN_PASSWORD} characters`);
  if (password.length > MAX_PASSWORD)
    throw new AppError(422, `The new password may be at most ${MAX_PASSWORD} characters`);
  if (token === "" || token.length > 200) throw invalidLink();
  const passwordHash = await hashPassword(password);
  await db.transaction(async (tx) => {
    const [user] = await tx
      .update(localUsers)
      .set({
        passwordHash,
        passwordChangedAt: new Date(),
        passwordResetTokenHash: null,
        passwordResetExpiresAt: null,
      })
      .where(liveReset(token))
      .returning({ accountId: localUsers.accountId });
    if (!user) throw invalidLink();
    await deleteAccountWebSessions(tx, user.accountId);
    await revokeAllTokensOf(tx, user.accountId);
  });
}

const invalidLink = () =>
  new AppError(404, "This link is invalid or has expired: ask for a new one");

/**
 * Counts a reset request from an address bucket against the login limit per address (the same
 * limit, its own counter): a stranger cannot flood someone's inbox. Seconds to wait, or null.
 */
export async function countResetRequest(
  db: Db,
  limit: Limit | null,
  ip: string,
): Promise<number | null> {
  if (!limit) return null;
  const [counted] = await hit(db, [{ key: `password-reset:ip:${ip}`, limit }]);
  return isOver(counted) ? counted.retryAfter : null;
}
