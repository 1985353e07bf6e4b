import type { Tx } from "../../db/client.ts";
import { appRedirectUris, appScopes, findAppByClientId, type OAuthApp } from "./apps.ts";
import { type CodeChallengeMethod, parsePkce } from "./codes.ts";
import { invalidRequest, OAuthError } from "./errors.ts";
import { isScopeSubset, parseScopes } from "./scopes.ts";

/** The query (GET) or form (POST) parameters of an authorization request, unvalidated. */
export interface AuthorizationParams {
  response_type?: string;
  client_id?: string;
  redirect_uri?: string;
  scope?: string;
  state?: string;
  code_challenge?: string;
  code_challenge_method?: string;
}

export interface ResolvedClient {
  app: OAuthApp;
  redirectUri: string;
}

/**
 * Step one: who is asking and where the answer goes. Errors here are never redirected
 * (RFC 6749 §4.1.2.1): with an unknown client or an unregistered redirect_uri, redirecting
 * would make us an open redirector. The caller shows them on a page instead.
 */
export async function resolveClient(db: Tx, params: AuthorizationParams): Promise<ResolvedClient> {
  if (!params.client_id) throw invalidRequest("client_id is missing");
  const app = await findAppByClientId(db, params.client_id);
  if (!app) throw new OAuthError(400, "invalid_client", "This application is not known here");
  const registered = appRedirectUris(app);
  if (!params.redirect_uri) {
    // RFC 6749 §3.1.2.3: optional when the client registered exactly one.
    if (registered.length === 1) return { app, redirectUri: registered[0] };
    throw invalidRequest("redirect_uri is missing");
  }
  if (!registered.includes(params.redirect_uri)) {
    throw invalidRequest("redirect_uri is not one the application registered");
  }
  return { app, redirectUri: params.redirect_uri };
}

export interface AuthorizationRequest extends ResolvedClient {
  scopes: string[];
  state: string | undefined;
  codeChallenge: string | null;
  codeChallengeMethod: CodeChallengeMethod | null;
}

const MAX_STATE = 2000;

/**
 * Step two: what is asked. Errors here go back to the client through its redirect_uri.
 * A missing scope means "read", as Mastodon documents; it must be within the app's scopes.
 */
export function checkAuthorizationRequest(
  client: ResolvedClient,
  params: AuthorizationParams,
): AuthorizationRequest {
  if (params.response_type !== "code") {
    throw new OAuthError(400, "unsupported_response_type", "Only response_type=code is supported");
  }
  if (params.state !== undefined && params.state.length > MAX_STATE) {
    throw invalidRequest("state is too long");
  }
  const scopes = parseScopes(params.scope, "read");
  if (!isScopeSubset(scopes, appScopes(client.app))) {
    throw new OAuthError(
      400,
      "invalid_scope",
      "The requested scope is not within the scopes the application registered",
    );
  }
  const pkce = parsePkce(params.code_challenge, params.code_challenge_method);
  return { ...client, scopes, state: params.state || undefined, ...pkce };
}

/** The client's redirect_uri with `params` added to its query (existing query kept). */
export function redirectWith(redirectUri: string, params: Record<string, string | undefined>) {
  const url = new URL(redirectUri);
  for (const [k, v] of Object.entries(params)) if (v !== undefined) url.searchParams.set(k, v);
  return url.toString();
}
