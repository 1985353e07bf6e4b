import { and, eq, isNull, sql } from "drizzle-orm";
import type { Tx } from "../../db/client.ts";
import { accessTokens, accounts, localUsers } from "../../db/schema/index.ts";
import { newId } from "../../lib/ids.ts";
import type { Account } from "../accounts/accounts.ts";
import { unconfirmedSql } from "../accounts/email.ts";
import { publishEvent } from "../events/publish.ts";
import { randomSecret, sha256Hex } from "./crypto.ts";
import { OAuthError } from "./errors.ts";
import { formatScopes, storedScopes } from "./scopes.ts";

export type AccessToken = typeof accessTokens.$inferSelect;

export interface IssuedToken {
  /** The bearer token in the clear: returned to the client once, never stored. */
  token: string;
  record: AccessToken;
}

export interface CreateTokenInput {
  appId: string | null;
  /** Null for an app-only (client_credentials) token. */
  accountId: string | null;
  scopes: string[];
  /** A team member's token for another account: the member (its role bounds the scopes). */
  grantedByAccountId?: string | null;
}

/** 32 random bytes, base64url; the database keeps only the SHA-256. Tokens do not expire. */
export async function createAccessToken(db: Tx, input: CreateTokenInput): Promise<IssuedToken> {
  const token = randomSecret(32);
  const [record] = await db
    .insert(accessTokens)
    .values({
      id: newId(),
      tokenHash: sha256Hex(token),
      appId: input.appId,
      accountId: input.accountId,
      scopes: formatScopes(input.scopes),
      grantedByAccountId: input.grantedByAccountId ?? null,
    })
    .returning();
  return { token, record };
}

export interface TokenLookup {
  token: AccessToken;
  scopes: string[];
  /** Null for app-only tokens. */
  account: Account | null;
  /** The account signed up under approval and waits for a moderator: the token may not act. */
  pending: boolean;
  /** With SMTP: the account has not confirmed its e-mail address yet (only /api/v1/emails works). */
  unconfirmed: boolean;
}

/** Our tokens are 43 characters; anything far off is not worth a query. */
const MAX_TOKEN_LENGTH = 512;

/**
 * The lookup of every authenticated request, built once per database handle (drizzle builds a
 * select's SQL anew on every run: ~0.4 ms of CPU for this one's ~60 columns) and run with the
 * token's hash as its one parameter.
 */
const lookups = new WeakMap<Tx, ReturnType<typeof buildLookup>>();

function buildLookup(db: Tx) {
  return db
    .select({
      access_tokens: accessTokens,
      accounts,
      approved: localUsers.approved,
      unconfirmed: unconfirmedSql,
    })
    .from(accessTokens)
    .leftJoin(accounts, eq(accounts.id, accessTokens.accountId))
    .leftJoin(localUsers, eq(localUsers.accountId, accessTokens.accountId))
    .where(and(eq(accessTokens.tokenHash, sql.placeholder("hash")), isNull(accessTokens.revokedAt)))
    .prepare("tern_find_access_token");
}

/** A live (unrevoked) token and its account; undefined when unknown or revoked. */
export async function findAccessToken(db: Tx, token: string): Promise<TokenLookup | undefined> {
  if (token === "" || token.length > MAX_TOKEN_LENGTH) return undefined;
  let lookup = lookups.get(db);
  if (!lookup) {
    lookup = buildLookup(db);
    lookups.set(db, lookup);
  }
  const [row] = await lookup.execute({ hash: sha256Hex(token) });
  if (!row) return undefined;
  // A token made for an account that has since gone is dead (the FK cascades, but be sure).
  if (row.access_tokens.accountId !== null && row.accounts === null) return undefined;
  return {
    token: row.access_tokens,
    scopes: storedScopes(row.access_tokens.scopes),
    account: row.accounts,
    pending: row.approved === false,
    unconfirmed: row.unconfirmed === true,
  };
}

/**
 * Revokes a token on behalf of the app it was issued to. Unknown or already revoked tokens are
 * not an error (RFC 7009 §2.2); another app's token is a 403, as Mastodon (Doorkeeper) answers.
 */
export async function revokeAccessToken(db: Tx, token: string, appId: string): Promise<void> {
  if (token === "" || token.length > MAX_TOKEN_LENGTH) return;
  const [row] = await db
    .select({ id: accessTokens.id, appId: accessTokens.appId })
    .from(accessTokens)
    .where(eq(accessTokens.tokenHash, sha256Hex(token)));
  if (!row) return;
  if (row.appId !== appId) {
    throw new OAuthError(403, "unauthorized_client", "You are not authorized to revoke this token");
  }
  await db
    .update(accessTokens)
    .set({ revokedAt: new Date() })
    .where(and(eq(accessTokens.id, row.id), isNull(accessTokens.revokedAt)));
  // Its open streams close now, in every process (the hub's periodic check is the backstop).
  await publishEvent(db, { t: "token_revoked", id: row.id });
}
