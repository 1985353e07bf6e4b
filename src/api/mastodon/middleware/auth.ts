import type { Context, MiddlewareHandler } from "hono";
import { createMiddleware } from "hono/factory";
import type { AppDeps } from "../../../deps.ts";
import { forbidden, unauthorized, unprocessable } from "../../../lib/errors.ts";
import type { Account } from "../../../services/accounts/accounts.ts";
import { UNCONFIRMED_LOGIN } from "../../../services/accounts/email.ts";
import { hasScope } from "../../../services/oauth/scopes.ts";
import { findAccessToken } from "../../../services/oauth/tokens.ts";
import { roleOn } from "../../../services/teams/access.ts";
import { scopesForRole } from "../../../services/teams/token-scopes.ts";
import type { ApiEnv, AuthInfo } from "../env.ts";

/** `Bearer <token>` (scheme case-insensitive, RFC 7235); undefined for no or another scheme. */
function bearerToken(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const match = /^\s*Bearer(?:\s+(.*))?$/i.exec(header);
  return match ? (match[1] ?? "").trim() : undefined;
}

/** RFC 6750 §3: a 401 for a bad token says so in WWW-Authenticate too. */
function invalidToken(c: Context): Error {
  c.header("WWW-Authenticate", 'Bearer error="invalid_token"');
  return unauthorized();
}

/**
 * Reads `Authorization: Bearer <token>` and sets `c.var.auth`: the caller, or null when no token
 * was sent (public routes go on). A token that was sent but is unknown or revoked is a 401, even
 * on public routes, so a client learns at once that it was logged out. Only the header is read:
 * tokens in query strings end up in logs. Mounting it twice is harmless (the second run skips).
 */
export function authenticate(deps: AppDeps): MiddlewareHandler<ApiEnv> {
  return createMiddleware<ApiEnv>(async (c, next) => {
    if ((c.get("auth") as AuthInfo | null | undefined) !== undefined) return next();
    const token = bearerToken(c.req.header("authorization"));
    if (token === undefined) {
      c.set("auth", null);
      return next();
    }
    const found = token === "" ? undefined : await findAccessToken(deps.db, token);
    // A suspended account's tokens were revoked with the suspension; any made since are dead too.
    if (!found || found.account?.suspendedAt) throw invalidToken(c);
    // Mastodon's answers to an address not confirmed yet (checked first), and to a sign-up still
    // waiting for a moderator, on every call but those that resend or check the confirmation.
    const confirming = found.unconfirmed && c.req.path.startsWith("/api/v1/emails/");
    if (found.unconfirmed && !confirming) throw forbidden(UNCONFIRMED_LOGIN);
    if (found.pending && !confirming) throw forbidden("Your login is currently pending approval");
    // A token a team member granted for another account holds what the member's role allows,
    // re-checked on every call (one lookup, only for such tokens): off the team, the token is dead.
    let scopes = found.scopes;
    const grantedBy = found.token.grantedByAccountId;
    const member = grantedBy && found.account && grantedBy !== found.account.id ? grantedBy : null;
    if (member && found.account) {
      const role = await roleOn(deps.db, member, found.account.id);
      if (!role) throw invalidToken(c);
      scopes = scopesForRole(scopes, role);
    }
    c.set("auth", {
      account: found.account,
      appId: found.token.appId,
      scopes,
      tokenId: found.token.id,
      grantedByAccountId: member,
    });
    return next();
  });
}

export interface RequireScopeOptions {
  /** Refuse app-only (client_credentials) tokens. Default true: most routes act for a user. */
  user?: boolean;
}

/**
 * Guards a route, after `authenticate`. Checks in Mastodon's order: a token at all (401), the
 * scope (403), then a user behind it (422). Use the granular scope the route needs
 * (`read:statuses`): `hasScope` lets the umbrella (`read`) through too.
 */
export function requireScope(
  scope: string,
  opts: RequireScopeOptions = {},
): MiddlewareHandler<ApiEnv> {
  const needUser = opts.user ?? true;
  return createMiddleware<ApiEnv>(async (c, next) => {
    const auth = c.get("auth");
    if (!auth) throw invalidToken(c);
    if (!hasScope(auth.scopes, scope)) throw forbidden();
    if (needUser && !auth.account) {
      throw unprocessable("This method requires an authenticated user");
    }
    return next();
  });
}

/**
 * For public routes whose answer depends on who asks (private posts, follower-only lists): no
 * token is fine, but a token that is sent must carry `scope`, or a `push`-only or `write`-only
 * token would read what its app was never granted (Mastodon's `authorize_if_got_token!`).
 */
export function scopeIfToken(scope: string): MiddlewareHandler<ApiEnv> {
  return createMiddleware<ApiEnv>(async (c, next) => {
    const auth = c.get("auth");
    if (auth && !hasScope(auth.scopes, scope)) throw forbidden();
    return next();
  });
}

/** Any valid token, whatever its scopes or user (e.g. GET /api/v1/apps/verify_credentials). */
export function requireToken(): MiddlewareHandler<ApiEnv> {
  return createMiddleware<ApiEnv>(async (c, next) => {
    if (!c.get("auth")) throw invalidToken(c);
    return next();
  });
}

/**
 * The account behind the request's token. 401 without a token; 422 for an app-only token
 * (same answer as `requireScope`). For handlers behind `requireScope`, it never throws.
 */
export function currentAccount(c: Context<ApiEnv>): Account {
  const auth = c.get("auth");
  if (!auth) throw invalidToken(c);
  if (!auth.account) throw unprocessable("This method requires an authenticated user");
  return auth.account;
}
