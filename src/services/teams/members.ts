/**
 * Managed (brand/project) accounts and their teams. A managed account is a normal local account
 * with its own keys and a random password nobody knows: it is only ever signed into through its
 * members. Every change writes the account's audit log in the same transaction, and at least one
 * owner always remains.
 */
import { randomBytes } from "node:crypto";
import { and, eq, isNull, ne, sql } from "drizzle-orm";
import type { Db, Tx } from "../../db/client.ts";
import {
  accessTokens,
  accountMembers,
  accounts,
  type TeamRole,
  teamRoles,
  webSessions,
} from "../../db/schema/index.ts";
import { AppError } from "../../lib/errors.ts";
import { type Account, createLocalAccount, findLocalAccount } from "../accounts/accounts.ts";
import { mayManage, roleOn } from "./access.ts";
import { recordAudit } from "./audit.ts";

export interface Member {
  account: Account;
  role: TeamRole;
}

export function parseRole(role: string): TeamRole {
  if (!(teamRoles as readonly string[]).includes(role))
    throw new AppError(422, `role must be one of ${teamRoles.join(", ")}`);
  return role as TeamRole;
}

/**
 * Who changes a team: a login (checked to be an owner, or the account itself), or null for the
 * instance's administrator at the console (`tern team`), who may manage every local account's
 * team and is recorded in the audit log as no one.
 */
export type TeamActor = Account | null;

/** Refuses (403) unless `actorId` may manage `accountId` (itself or an owner); null is the admin. */
export async function requireManager(db: Db | Tx, actorId: string | null, accountId: string) {
  if (actorId !== null && !mayManage(await roleOn(db, actorId, accountId)))
    throw new AppError(403, "Only an owner of this account may do that");
}

/**
 * How many accounts one login may own. Creating one is a sign-up without the sign-up checks, so
 * it has a ceiling (a newsroom's matrix of topic accounts fits; a spam farm does not).
 */
export const MAX_OWNED_ACCOUNTS = 50;

export async function createManagedAccount(
  db: Db,
  publicUrl: string,
  login: Account,
  username: string,
  displayName = "",
): Promise<Account> {
  if (login.domain) throw new AppError(422, "Only a local login can own an account");
  return createLocalAccount(db, publicUrl, {
    username,
    displayName,
    // Nobody signs in with it: 32 random bytes are never told to anyone.
    password: randomBytes(32).toString("base64url"),
    inTransaction: async (tx, account) => {
      // The login's row lock serializes two creations racing past the count.
      await tx.execute(sql`select 1 from accounts where id = ${login.id} for update`);
      const [{ owned }] = await tx
        .select({ owned: sql<number>`count(*)::int` })
        .from(accountMembers)
        .where(and(eq(accountMembers.memberAccountId, login.id), eq(accountMembers.role, "owner")));
      if (owned >= MAX_OWNED_ACCOUNTS)
        throw new AppError(422, `A login may own at most ${MAX_OWNED_ACCOUNTS} accounts`);
      await tx.insert(accountMembers).values({
        accountId: account.id,
        memberAccountId: login.id,
        role: "owner",
        addedByAccountId: login.id,
      });
      await recordAudit(tx, {
        accountId: account.id,
        actorAccountId: login.id,
        action: "account.create",
        detail: { owner: login.username },
      });
    },
  });
}

export async function listMembers(db: Db | Tx, accountId: string): Promise<Member[]> {
  const rows = await db
    .select({ account: accounts, role: accountMembers.role })
    .from(accountMembers)
    .innerJoin(accounts, eq(accounts.id, accountMembers.memberAccountId))
    .where(eq(accountMembers.accountId, accountId))
    .orderBy(accounts.username);
  return rows;
}

async function localMember(tx: Tx, username: string): Promise<Account> {
  const account = await findLocalAccount(tx, username);
  if (!account) throw new AppError(404, `No local account "${username}"`);
  return account;
}

async function ownerCount(tx: Tx, accountId: string): Promise<number> {
  const [row] = await tx
    .select({ n: sql<number>`count(*)::int` })
    .from(accountMembers)
    .where(and(eq(accountMembers.accountId, accountId), eq(accountMembers.role, "owner")));
  return row?.n ?? 0;
}

/** Locks the account's member rows so two owners leaving at once cannot both pass the check. */
async function lockTeam(tx: Tx, accountId: string): Promise<void> {
  await tx.execute(
    sql`select 1 from ${accountMembers} where ${accountMembers.accountId} = ${accountId} for update`,
  );
}

export async function addMember(
  db: Db,
  actor: TeamActor,
  accountId: string,
  username: string,
  role: TeamRole,
): Promise<Member> {
  return db.transaction(async (tx) => {
    await requireManager(tx, actor?.id ?? null, accountId);
    const member = await localMember(tx, username);
    if (member.id === accountId) throw new AppError(422, "An account cannot be its own member");
    const [row] = await tx
      .insert(accountMembers)
      .values({ accountId, memberAccountId: member.id, role, addedByAccountId: actor?.id ?? null })
      .onConflictDoNothing()
      .returning();
    if (!row) throw new AppError(422, `${member.username} is already a member`);
    await recordAudit(tx, {
      accountId,
      actorAccountId: actor?.id ?? null,
      action: "member.add",
      detail: { member: member.username, role },
    });
    return { account: member, role };
  });
}

export async function changeRole(
  db: Db,
  actor: TeamActor,
  accountId: string,
  username: string,
  role: TeamRole,
): Promise<void> {
  await db.transaction(async (tx) => {
    await requireManager(tx, actor?.id ?? null, accountId);
    await lockTeam(tx, accountId);
    const member = await localMember(tx, username);
    const before = await roleOn(tx, member.id, accountId);
    if (!before || before === "self") throw new AppError(404, `${username} is not a member`);
    if (before === role) return;
    await tx
      .update(accountMembers)
      .set({ role })
      .where(
        and(eq(accountMembers.accountId, accountId), eq(accountMembers.memberAccountId, member.id)),
      );
    if (before === "owner" && (await ownerCount(tx, accountId)) < 1)
      throw new AppError(422, "An account keeps at least one owner");
    await recordAudit(tx, {
      accountId,
      actorAccountId: actor?.id ?? null,
      action: "member.role",
      detail: { member: member.username, from: before, to: role },
    });
  });
}

/**
 * Takes `member` off the team: the tokens it granted for the account are revoked and its web
 * sessions stop acting as the account, in the same transaction (nothing it holds outlives it).
 */
async function dropMember(tx: Tx, accountId: string, memberId: string): Promise<void> {
  await lockTeam(tx, accountId);
  const gone = await tx
    .delete(accountMembers)
    .where(
      and(eq(accountMembers.accountId, accountId), eq(accountMembers.memberAccountId, memberId)),
    )
    .returning({ role: accountMembers.role });
  if (gone.length === 0) throw new AppError(404, "Not a member of this account");
  if (gone[0]?.role === "owner" && (await ownerCount(tx, accountId)) < 1)
    throw new AppError(422, "An account keeps at least one owner");
  await tx
    .update(accessTokens)
    .set({ revokedAt: new Date() })
    .where(
      and(
        eq(accessTokens.grantedByAccountId, memberId),
        eq(accessTokens.accountId, accountId),
        isNull(accessTokens.revokedAt),
      ),
    );
  await tx
    .update(webSessions)
    .set({ actingAccountId: null })
    .where(and(eq(webSessions.accountId, memberId), eq(webSessions.actingAccountId, accountId)));
}

export async function removeMember(
  db: Db,
  actor: TeamActor,
  accountId: string,
  username: string,
): Promise<void> {
  await db.transaction(async (tx) => {
    await requireManager(tx, actor?.id ?? null, accountId);
    const member = await localMember(tx, username);
    await dropMember(tx, accountId, member.id);
    await recordAudit(tx, {
      accountId,
      actorAccountId: actor?.id ?? null,
      action: "member.remove",
      detail: { member: member.username },
    });
  });
}

/** The login leaves a team it is on (any role); the last owner cannot. */
export async function leaveAccount(db: Db, login: Account, accountId: string): Promise<void> {
  await db.transaction(async (tx) => {
    await dropMember(tx, accountId, login.id);
    await recordAudit(tx, {
      accountId,
      actorAccountId: login.id,
      action: "member.leave",
      detail: { member: login.username },
    });
  });
}

/**
 * Makes `username` an owner (adding it if needed) and the acting owner an editor; by the admin
 * (null), `username` becomes the only owner.
 */
export async function transferOwnership(
  db: Db,
  actor: TeamActor,
  accountId: string,
  username: string,
): Promise<void> {
  await db.transaction(async (tx) => {
    await requireManager(tx, actor?.id ?? null, accountId);
    await lockTeam(tx, accountId);
    const next = await localMember(tx, username);
    if (next.id === accountId) throw new AppError(422, "An account cannot own itself");
    await tx
      .insert(accountMembers)
      .values({
        accountId,
        memberAccountId: next.id,
        role: "owner",
        addedByAccountId: actor?.id ?? null,
      })
      .onConflictDoUpdate({
        target: [accountMembers.accountId, accountMembers.memberAccountId],
        set: { role: "owner" },
      });
    // The admin hands the account over whole: every other owner becomes an editor.
    const demoted = actor
      ? eq(accountMembers.memberAccountId, actor.id)
      : and(eq(accountMembers.role, "owner"), ne(accountMembers.memberAccountId, next.id));
    if (next.id !== actor?.id)
      await tx
        .update(accountMembers)
        .set({ role: "editor" })
        .where(and(eq(accountMembers.accountId, accountId), demoted));
    await recordAudit(tx, {
      accountId,
      actorAccountId: actor?.id ?? null,
      action: "account.transfer",
      detail: { to: next.username },
    });
  });
}
