/**
 * Invite links (`/invite/:code`): whoever holds one may sign up even while registrations are
 * closed or need approval. Any local user may make them (Mastodon's default invite role), with
 * caps so one account cannot flood the server: uses, days and live invites are bounded.
 */
import { and, desc, eq, gt, isNull, lt, or, sql } from "drizzle-orm";
import type { Tx } from "../../db/client.ts";
import { invites } from "../../db/schema/index.ts";
import { AppError, notFound } from "../../lib/errors.ts";
import { newId } from "../../lib/ids.ts";
import { randomSecret } from "../oauth/crypto.ts";

export type Invite = typeof invites.$inferSelect;

export const MAX_INVITE_USES = 100;
export const MAX_INVITE_DAYS = 365;
/** Live (unrevoked, unexpired, not used up) invites one account may hold at once. */
export const MAX_LIVE_INVITES = 20;
const CODE = /^[A-Za-z0-9_-]{6,64}$/;

export interface InviteInput {
  /** Null or absent: unlimited. */
  maxUses?: number | null;
  /** Null or absent: never expires. */
  expiresDays?: number | null;
  autofollow?: boolean;
}

/** An invite is usable while not revoked, not expired and not used up. */
const usable = () =>
  and(
    isNull(invites.revokedAt),
    or(isNull(invites.expiresAt), gt(invites.expiresAt, sql`now()`)),
    or(isNull(invites.maxUses), lt(invites.uses, invites.maxUses)),
  );

export async function createInvite(tx: Tx, accountId: string, input: InviteInput): Promise<Invite> {
  const { maxUses = null, expiresDays = null } = input;
  if (maxUses !== null && (!Number.isInteger(maxUses) || maxUses < 1 || maxUses > MAX_INVITE_USES))
    throw new AppError(422, `Uses must be a whole number from 1 to ${MAX_INVITE_USES}`);
  if (
    expiresDays !== null &&
    (!Number.isInteger(expiresDays) || expiresDays < 1 || expiresDays > MAX_INVITE_DAYS)
  )
    throw new AppError(422, `Days must be a whole number from 1 to ${MAX_INVITE_DAYS}`);
  const [live] = await tx
    .select({ n: sql<number>`count(*)::int` })
    .from(invites)
    .where(and(eq(invites.accountId, accountId), usable()));
  if (live.n >= MAX_LIVE_INVITES)
    throw new AppError(422, `At most ${MAX_LIVE_INVITES} invites may be open at once`);
  const [invite] = await tx
    .insert(invites)
    .values({
      id: newId(),
      code: randomSecret(9),
      accountId,
      maxUses,
      expiresAt: expiresDays === null ? null : new Date(Date.now() + expiresDays * 86_400_000),
      autofollow: input.autofollow ?? false,
    })
    .returning();
  return invite;
}

/** The account's invites, newest first (its index), at most 100. */
export async function listInvites(tx: Tx, accountId: string): Promise<Invite[]> {
  return tx
    .select()
    .from(invites)
    .where(eq(invites.accountId, accountId))
    .orderBy(desc(invites.id))
    .limit(100);
}

/** Revokes one of the account's own invites; anyone else's is a 404. */
export async function revokeInvite(tx: Tx, accountId: string, id: string): Promise<void> {
  const gone = await tx
    .update(invites)
    .set({ revokedAt: new Date() })
    .where(and(eq(invites.id, id), eq(invites.accountId, accountId)))
    .returning({ id: invites.id });
  if (gone.length === 0) throw notFound();
}

/** The invite behind a code while it can still be used; undefined otherwise. */
export async function findUsableInvite(tx: Tx, code: string): Promise<Invite | undefined> {
  if (!CODE.test(code)) return undefined;
  const [row] = await tx
    .select()
    .from(invites)
    .where(and(eq(invites.code, code), usable()));
  return row;
}

/**
 * Counts one use, in the sign-up's transaction: one conditional update, so two sign-ups racing
 * for the last use cannot both have it. Undefined when the invite is no longer usable.
 */
export async function useInvite(tx: Tx, code: string): Promise<Invite | undefined> {
  if (!CODE.test(code)) return undefined;
  const [row] = await tx
    .update(invites)
    .set({ uses: sql`${invites.uses} + 1` })
    .where(and(eq(invites.code, code), usable()))
    .returning();
  return row;
}

export const inviteUrl = (publicUrl: string, invite: Pick<Invite, "code">) =>
  `${publicUrl}/invite/${invite.code}`;

/** Whether the invite can still be used (for listings). */
export function inviteLive(invite: Invite, now = Date.now()): boolean {
  return (
    !invite.revokedAt &&
    (!invite.expiresAt || invite.expiresAt.getTime() > now) &&
    (invite.maxUses === null || invite.uses < invite.maxUses)
  );
}
