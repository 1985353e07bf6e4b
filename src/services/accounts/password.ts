/**
 * Changing one's password on /settings/password: the current one must be right (throttled like
 * a login, so a borrowed browser cannot guess it), and afterwards every other browser is signed
 * out and every app token revoked, as a person changing a leaked password expects.
 */

import { eq } from "drizzle-orm";
import type { RateLimits } from "../../config/index.ts";
import type { Db } from "../../db/client.ts";
import { localUsers } from "../../db/schema/index.ts";
import { AppError, notFound } from "../../lib/errors.ts";
import { hit, isOver } from "../rate-limits.ts";
import { revokeAllTokensOf } from "../sessions/account-sessions.ts";
import { deleteAccountWebSessions } from "../sessions/web-sessions.ts";
import { hashPassword, verifyPassword } from "./password-hash.ts";
import { MAX_PASSWORD, MIN_PASSWORD } from "./sign-up.ts";

export interface PasswordChange {
  current: string;
  next: string;
  /** The browser making the change stays signed in. */
  keepSessionId?: string;
}

export async function changePassword(
  db: Db,
  limits: Pick<RateLimits, "loginAccount">,
  accountId: string,
  change: PasswordChange,
): Promise<{ revokedTokens: number }> {
  if (change.next.length < MIN_PASSWORD)
    throw new AppError(422, `The new password must be at least ${MIN_PASSWORD} characters`);
  if (change.next.length > MAX_PASSWORD)
    throw new AppError(422, `The new password may be at most ${MAX_PASSWORD} characters`);
  if (limits.loginAccount) {
    const [counted] = await hit(db, [
      { key: `password:account:${accountId}`, limit: limits.loginAccount },
    ]);
    if (isOver(counted)) throw new AppError(429, "Too many attempts; try again later");
  }
  const [user] = await db
    .select({ passwordHash: localUsers.passwordHash })
    .from(localUsers)
    .where(eq(localUsers.accountId, accountId));
  if (!user) throw notFound();
  const ok =
    change.current.length <= 1024 && (await verifyPassword(user.passwordHash, change.current));
  if (!ok) throw new AppError(403, "The current password is wrong");
  const passwordHash = await hashPassword(change.next);
  return db.transaction(async (tx) => {
    await tx
      .update(localUsers)
      .set({ passwordHash, passwordChangedAt: new Date() })
      .where(eq(localUsers.accountId, accountId));
    await deleteAccountWebSessions(tx, accountId, change.keepSessionId);
    return { revokedTokens: await revokeAllTokensOf(tx, accountId) };
  });
}
