import type { Db } from "../../db/client.ts";
import { type AuthenticatedClient, appScopes } from "./apps.ts";
import { redeemAuthorizationCode } from "./codes.ts";
import { invalidClient, OAuthError } from "./errors.ts";
import { isScopeSubset, parseScopes } from "./scopes.ts";
import { createAccessToken, type IssuedToken } from "./tokens.ts";

export interface AuthorizationCodeGrant {
  code: string | undefined;
  redirectUri: string | undefined;
  codeVerifier: string | undefined;
}

/**
 * grant_type=authorization_code. Burning the code and minting the token share a transaction, so
 * a failed insert does not leave the user with a spent code and no token. A rejected exchange
 * (wrong verifier, wrong redirect_uri) still commits the burn: the error leaves the transaction
 * as a value and is thrown after it, so nobody gets a second guess at the verifier.
 */
export async function grantAuthorizationCode(
  db: Db,
  client: AuthenticatedClient,
  grant: AuthorizationCodeGrant,
): Promise<IssuedToken> {
  const result = await db.transaction(async (tx): Promise<IssuedToken | OAuthError> => {
    let redeemed: Awaited<ReturnType<typeof redeemAuthorizationCode>>;
    try {
      redeemed = await redeemAuthorizationCode(tx, { client, ...grant });
    } catch (err) {
      if (err instanceof OAuthError) return err;
      throw err;
    }
    return createAccessToken(tx, { appId: client.app.id, ...redeemed });
  });
  if (result instanceof OAuthError) throw result;
  return result;
}

/**
 * grant_type=client_credentials: a token for the app itself, with no user behind it. Needs the
 * client secret (a public client has nothing to prove who it is with). Scope defaults to "read".
 */
export async function grantClientCredentials(
  db: Db,
  client: AuthenticatedClient,
  scope: string | undefined,
): Promise<IssuedToken> {
  if (!client.secretVerified) throw invalidClient("client_secret is required for this grant");
  const scopes = parseScopes(scope, "read");
  if (!isScopeSubset(scopes, appScopes(client.app))) {
    throw new OAuthError(
      400,
      "invalid_scope",
      "The requested scope is not within the scopes the application registered",
    );
  }
  return createAccessToken(db, { appId: client.app.id, accountId: null, scopes });
}
