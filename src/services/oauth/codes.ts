import { createHash } from "node:crypto";
import { and, eq, lt } from "drizzle-orm";
import type { Tx } from "../../db/client.ts";
import { authorizationCodes } from "../../db/schema/index.ts";
import { type AuthenticatedClient, appRedirectUris } from "./apps.ts";
import { randomSecret, safeEqual, sha256Hex } from "./crypto.ts";
import { invalidClient, invalidGrant, invalidRequest } from "./errors.ts";
import { formatScopes, storedScopes } from "./scopes.ts";

/** RFC 6749 §4.1.2 recommends at most ten minutes. */
export const CODE_TTL_MS = 10 * 60 * 1000;

export type CodeChallengeMethod = "S256" | "plain";

/** RFC 7636 §4.1: 43-128 characters from the unreserved set (verifiers and plain challenges). */
const PKCE_VALUE = /^[A-Za-z0-9\-._~]{43,128}$/;
/** An S256 challenge is a base64url SHA-256, always 43 characters. */
const S256_CHALLENGE = /^[A-Za-z0-9\-_]{43}$/;

export interface Pkce {
  codeChallenge: string | null;
  codeChallengeMethod: CodeChallengeMethod | null;
}

/**
 * Checks the PKCE parameters of an authorization request. A challenge without a method is
 * "plain" (RFC 7636 §4.3); a method without a challenge is a client bug worth reporting.
 */
export function parsePkce(challenge: string | undefined, method: string | undefined): Pkce {
  if (!challenge) {
    if (method) throw invalidRequest("code_challenge_method was sent without code_challenge");
    return { codeChallenge: null, codeChallengeMethod: null };
  }
  const m = method || "plain";
  if (m !== "S256" && m !== "plain") {
    throw invalidRequest("code_challenge_method must be S256 or plain");
  }
  if (!(m === "S256" ? S256_CHALLENGE : PKCE_VALUE).test(challenge)) {
    throw invalidRequest("code_challenge is malformed");
  }
  return { codeChallenge: challenge, codeChallengeMethod: m };
}

export interface IssueCodeInput extends Pkce {
  appId: string;
  accountId: string;
  redirectUri: string;
  scopes: string[];
  /** The login that chose `accountId` for the app, when that is another account (teams). */
  grantedByAccountId?: string | null;
}

/** Mints a single-use code; only its hash is stored. Expired codes are swept on the way. */
export async function issueAuthorizationCode(db: Tx, input: IssueCodeInput): Promise<string> {
  const code = randomSecret(32);
  const now = Date.now();
  await db.delete(authorizationCodes).where(lt(authorizationCodes.expiresAt, new Date(now)));
  await db.insert(authorizationCodes).values({
    codeHash: sha256Hex(code),
    appId: input.appId,
    accountId: input.accountId,
    redirectUri: input.redirectUri,
    scopes: formatScopes(input.scopes),
    codeChallenge: input.codeChallenge,
    codeChallengeMethod: input.codeChallengeMethod,
    grantedByAccountId: input.grantedByAccountId ?? null,
    expiresAt: new Date(now + CODE_TTL_MS),
  });
  return code;
}

export interface RedeemCodeInput {
  code: string | undefined;
  client: AuthenticatedClient;
  redirectUri: string | undefined;
  codeVerifier: string | undefined;
}

/**
 * Exchanges a code for what it grants. The row is deleted before anything else is checked, in
 * one statement, so a code works once even under concurrent requests, and a failed PKCE check
 * burns it (no guessing the verifier). Only the app the code was issued to can burn it.
 */
export async function redeemAuthorizationCode(
  db: Tx,
  input: RedeemCodeInput,
): Promise<{ accountId: string; scopes: string[]; grantedByAccountId: string | null }> {
  const { client } = input;
  if (!input.code) throw invalidRequest("code is missing");
  const [row] = await db
    .delete(authorizationCodes)
    .where(
      and(
        eq(authorizationCodes.codeHash, sha256Hex(input.code)),
        eq(authorizationCodes.appId, client.app.id),
      ),
    )
    .returning();
  if (!row) throw invalidGrant();
  if (row.expiresAt.getTime() < Date.now())
    throw invalidGrant("The authorization code has expired");

  if (input.redirectUri !== undefined && input.redirectUri !== "") {
    if (input.redirectUri !== row.redirectUri) {
      throw invalidGrant("redirect_uri does not match the one used in the authorization request");
    }
  } else {
    // Optional only when it could not have been anything else (RFC 6749 §4.1.3).
    const registered = appRedirectUris(client.app);
    if (registered.length !== 1 || registered[0] !== row.redirectUri) {
      throw invalidRequest("redirect_uri is missing");
    }
  }

  if (row.codeChallenge) {
    if (!input.codeVerifier) throw invalidGrant("code_verifier is missing");
    if (!PKCE_VALUE.test(input.codeVerifier)) throw invalidGrant("code_verifier is malformed");
    const expected =
      row.codeChallengeMethod === "S256"
        ? createHash("sha256").update(input.codeVerifier).digest("base64url")
        : input.codeVerifier;
    if (!safeEqual(expected, row.codeChallenge)) {
      throw invalidGrant("code_verifier does not match the code_challenge");
    }
  } else {
    // A verifier without a challenge means the challenge was stripped on the way: refuse.
    if (input.codeVerifier) throw invalidGrant("code_verifier was sent but no code_challenge was");
    // Without PKCE, the secret is the only thing binding the code to its client.
    if (!client.secretVerified) throw invalidClient("client_secret is required without PKCE");
  }
  return {
    accountId: row.accountId,
    scopes: storedScopes(row.scopes),
    grantedByAccountId: row.grantedByAccountId,
  };
}
