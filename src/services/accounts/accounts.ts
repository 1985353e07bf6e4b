import { and, eq, isNull, or, sql } from "drizzle-orm";
import type { Db, Tx } from "../../db/client.ts";
import { reused } from "../../db/reused.ts";
import { accounts, follows, localUsers } from "../../db/schema/index.ts";
import { AppError, notFound } from "../../lib/errors.ts";
import { newId } from "../../lib/ids.ts";
import { localActorUrls } from "../../lib/urls.ts";
import { deleteFilesOfAccount } from "../media/remote.ts";
import { countFollows } from "./counters.ts";
import { generateActorKeys } from "./keys.ts";
import { hashPassword, verifyPassword } from "./password-hash.ts";

export type Account = typeof accounts.$inferSelect;
export type LocalUser = typeof localUsers.$inferSelect;

const USERNAME = /^[a-z0-9_]{1,30}$/i;
/** Names that would collide with the instance actor or with routes a server needs. */
export const RESERVED_USERNAMES = new Set([
  "admin",
  "root",
  "instance",
  "actor",
  "inbox",
  "api",
  "oauth",
  "users",
  "well_known",
]);

export interface CreateLocalAccountInput {
  username: string;
  password: string;
  displayName?: string;
  locked?: boolean;
  /** Written with the account: role, and what a sign-up knows (approval, reason, invite...). */
  user?: Partial<
    Pick<
      typeof localUsers.$inferInsert,
      "role" | "approved" | "signUpReason" | "email" | "locale" | "inviteId" | "signUpIp"
    >
  >;
  /** Runs in the account's transaction once its rows are written; throwing undoes them all. */
  inTransaction?: (tx: Tx, account: Account) => Promise<void>;
}

export async function createLocalAccount(
  db: Db,
  publicUrl: string,
  input: CreateLocalAccountInput,
): Promise<Account> {
  const { username, password } = input;
  if (!USERNAME.test(username)) {
    throw new AppError(422, "Username must be 1-30 letters, digits or underscores");
  }
  if (RESERVED_USERNAMES.has(username.toLowerCase()))
    throw new AppError(422, `Username "${username}" is reserved`);
  if (password.length < 8) throw new AppError(422, "Password must be at least 8 characters");
  if (await findLocalAccount(db, username))
    throw new AppError(422, `Username "${username}" is already taken`);

  const keys = await generateActorKeys();
  const passwordHash = await hashPassword(password); // Argon2id, memory-hard
  const id = newId();
  return db.transaction(async (tx) => {
    const [account] = await tx
      .insert(accounts)
      .values({
        id,
        username,
        domain: null,
        ...localActorUrls(publicUrl, username),
        displayName: input.displayName ?? "",
        locked: input.locked ?? false,
        publishedAt: new Date(),
      })
      .onConflictDoNothing()
      .returning();
    if (!account) throw new AppError(422, `Username "${username}" is already taken`);
    await tx.insert(localUsers).values({
      accountId: id,
      passwordHash,
      rsaPrivateKey: keys.rsaPrivateKey,
      rsaPublicKey: keys.rsaPublicKey,
      ed25519PrivateKey: keys.ed25519PrivateKey,
      ed25519PublicKey: keys.ed25519PublicKey,
      ...input.user,
    });
    await input.inTransaction?.(tx, account);
    return account;
  });
}

export async function findLocalAccount(db: Tx, username: string): Promise<Account | undefined> {
  // Not a possible username (a NUL byte would even upset PostgreSQL): nobody by that name.
  if (!USERNAME.test(username)) return undefined;
  const [row] = await db
    .select()
    .from(accounts)
    .where(and(sql`lower(${accounts.username}) = lower(${username})`, isNull(accounts.domain)));
  return row;
}

export async function findLocalUser(
  db: Tx,
  username: string,
): Promise<{ account: Account; user: LocalUser } | undefined> {
  if (!USERNAME.test(username)) return undefined;
  const [row] = await db
    .select()
    .from(accounts)
    .innerJoin(localUsers, eq(localUsers.accountId, accounts.id))
    .where(and(sql`lower(${accounts.username}) = lower(${username})`, isNull(accounts.domain)));
  return row ? { account: row.accounts, user: row.local_users } : undefined;
}

export async function getAccount(db: Tx, id: string): Promise<Account> {
  const [row] = await db.select().from(accounts).where(eq(accounts.id, id));
  if (!row) throw notFound();
  return row;
}

/**
 * A remote account deleted itself: it goes with its posts and follows (cascade), and the
 * followers and following counts of the accounts on the other side of its follows go down.
 */
export async function deleteRemoteAccount(db: Db, accountId: string): Promise<void> {
  await db.transaction(async (tx) => {
    // Copies of its media and pictures made here go too (the rows go by cascade).
    await deleteFilesOfAccount(tx, accountId);
    const gone = await tx
      .delete(follows)
      .where(or(eq(follows.followerId, accountId), eq(follows.followingId, accountId)))
      .returning();
    await countFollows(
      tx,
      gone.filter((f) => f.state === "accepted"),
      -1,
    );
    await tx
      .delete(accounts)
      .where(and(eq(accounts.id, accountId), sql`${accounts.domain} is not null`));
  });
}

const accountByUri = reused("account_by_uri", (db) =>
  db
    .select()
    .from(accounts)
    .where(eq(accounts.uri, sql.placeholder("uri"))),
);

export async function findAccountByUri(db: Tx, uri: string): Promise<Account | undefined> {
  const [row] = await accountByUri(db, { uri });
  return row;
}

/** `username` or `username@domain`; the local domain counts as local. */
export async function findAccountByAcct(
  db: Tx,
  acct: string,
  localHost: string,
): Promise<Account | undefined> {
  const [username, domain] = acct.replace(/^@/, "").split("@");
  if (!domain || domain.toLowerCase() === localHost.toLowerCase())
    return findLocalAccount(db, username);
  const [row] = await db
    .select()
    .from(accounts)
    .where(
      and(
        sql`lower(${accounts.username}) = lower(${username})`,
        sql`lower(${accounts.domain}) = lower(${domain})`,
      ),
    );
  return row;
}

/**
 * Checks a local user's password; undefined when the user or the password is wrong. An unknown
 * name is checked against a stand-in hash made with the same parameters, so it takes as long
 * as a known one: the answer time does not tell which usernames exist.
 */
export async function authenticate(
  db: Db,
  username: string,
  password: string,
): Promise<Account | undefined> {
  const found = await findLocalUser(db, username);
  const ok = await verifyPassword(found?.user.passwordHash ?? (await standInHash()), password);
  return found && ok ? found.account : undefined;
}

let standIn: Promise<string> | undefined;
/** Made once per process, on the first login with an unknown name. */
const standInHash = () => {
  standIn ??= hashPassword(`tern stand-in ${newId()}`);
  return standIn;
};

export async function countLocalAccounts(db: Tx): Promise<number> {
  const [row] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(accounts)
    .where(isNull(accounts.domain));
  return row.n;
}
