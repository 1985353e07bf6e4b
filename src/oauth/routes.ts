import { type Context, Hono } from "hono";
import { z } from "zod";
import { ipBucket } from "../api/client-ip.ts";
import { readBody } from "../api/mastodon/body.ts";
import { serializeToken } from "../api/mastodon/entities/token.ts";
import { rateLimit } from "../api/mastodon/middleware/rate-limit.ts";
import { clientIp } from "../api/request-log.ts";
import type { AppDeps } from "../deps.ts";
import { AppError } from "../lib/errors.ts";
import { isId } from "../lib/ids.ts";
import {
  DISABLED_LOGIN,
  type LoginResult,
  PENDING_APPROVAL,
  passwordLogin,
  SUSPENDED_LOGIN,
  UNCONFIRMED_FORM,
} from "../services/accounts/login.ts";
import { type AccountChoice, chooseAccount } from "../services/oauth/account-choice.ts";
import { authenticateClient, OOB_REDIRECT_URI } from "../services/oauth/apps.ts";
import {
  type AuthorizationParams,
  type AuthorizationRequest,
  checkAuthorizationRequest,
  type ResolvedClient,
  redirectWith,
  resolveClient,
} from "../services/oauth/authorize.ts";
import { issueAuthorizationCode } from "../services/oauth/codes.ts";
import { invalidClient, invalidRequest, OAuthError } from "../services/oauth/errors.ts";
import { grantAuthorizationCode, grantClientCredentials } from "../services/oauth/grants.ts";
import { SUPPORTED_SCOPES } from "../services/oauth/scopes.ts";
import {
  checkTicket,
  signTicket,
  type TicketBinding,
  ticketSecret,
} from "../services/oauth/ticket.ts";
import { revokeAccessToken } from "../services/oauth/tokens.ts";
import { type ActableAccount, accountsForLogin } from "../services/teams/access.ts";
import { csrfCookie } from "../web/csrf-cookie.ts";
import { type AccountChoiceItem, messagePage, oobCodePage } from "./authorize-page.ts";
import { choicePage, formPage, htmlPage, redirect } from "./pages.ts";

const text = z.string().optional();
const PARAM_KEYS = [
  "response_type",
  "client_id",
  "redirect_uri",
  "scope",
  "state",
  "code_challenge",
  "code_challenge_method",
] as const;

/** Every field the authorize form posts back; all optional, the services judge them. */
const authorizeForm = z.object({
  response_type: text,
  client_id: text,
  redirect_uri: text,
  scope: text,
  state: text,
  code_challenge: text,
  code_challenge_method: text,
  csrf_token: text,
  username: text,
  password: text,
  decision: text,
  // Step two (a login on a team): the signed ticket of step one, and the chosen account.
  ticket: text,
  account_id: text,
});
type AuthorizeForm = z.infer<typeof authorizeForm>;

const tokenBody = z.object({
  grant_type: text,
  code: text,
  redirect_uri: text,
  code_verifier: text,
  scope: text,
  client_id: text,
  client_secret: text,
});

const revokeBody = z.object({
  token: text,
  token_type_hint: text,
  client_id: text,
  client_secret: text,
});

/** The OAuth 2 endpoints a Mastodon client uses, and RFC 8414 metadata that describes them. */
export function oauthRoutes(deps: AppDeps): Hono {
  const { db, config } = deps;
  const router = new Hono();
  // Counted with the anonymous API requests of the address: otherwise one registered app could
  // mint client_credentials tokens without end, each with a fresh per-token API limit.
  router.use("/oauth/token", rateLimit(deps));
  router.use("/oauth/revoke", rateLimit(deps));
  const csrf = csrfCookie(config.publicUrl, "tern_oauth_csrf", "/oauth");

  router.get("/.well-known/oauth-authorization-server", (c) => {
    const base = config.publicUrl;
    return c.json({
      issuer: base,
      service_documentation: "https://docs.joinmastodon.org/",
      authorization_endpoint: `${base}/oauth/authorize`,
      token_endpoint: `${base}/oauth/token`,
      revocation_endpoint: `${base}/oauth/revoke`,
      app_registration_endpoint: `${base}/api/v1/apps`,
      scopes_supported: SUPPORTED_SCOPES,
      response_types_supported: ["code"],
      response_modes_supported: ["query"],
      grant_types_supported: ["authorization_code", "client_credentials"],
      code_challenge_methods_supported: ["S256"],
      token_endpoint_auth_methods_supported: ["client_secret_basic", "client_secret_post", "none"],
      revocation_endpoint_auth_methods_supported: [
        "client_secret_basic",
        "client_secret_post",
        "none",
      ],
    });
  });

  router.get("/oauth/authorize", async (c) => {
    const params = pickParams(c.req.query());
    const step = await validate(c, deps, params);
    if (step instanceof Response) return step;
    return formPage(c, config.host, step, csrf.issue(c), 200);
  });

  router.post("/oauth/authorize", async (c) => {
    let form: AuthorizeForm;
    try {
      form = await readBody(c, authorizeForm);
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      return htmlPage(c, messagePage("Authorization failed", err.message), err.status);
    }
    const step = await validate(c, deps, pickParams(form));
    if (step instanceof Response) return step;
    if (!csrf.check(c, form.csrf_token)) {
      const error = "This form expired or was sent from another site. Please try again.";
      return formPage(c, config.host, step, csrf.issue(c), 403, { error, username: form.username });
    }
    if (form.decision === "deny") {
      return errorRedirect(c, step, new OAuthError(403, "access_denied", "The user denied access"));
    }
    if (form.ticket !== undefined) return chosen(c, step, form);
    // People type their handle in many shapes: "alice", "@alice", "alice@host".
    let username = (form.username ?? "").trim().replace(/^@/, "");
    const ownHost = `@${config.host}`.toLowerCase();
    if (username.toLowerCase().endsWith(ownHost)) username = username.slice(0, -ownHost.length);
    const login = await passwordLogin(db, config.rateLimits, {
      ip: ipBucket(clientIp(c)),
      username,
      password: form.password ?? "",
    });
    if (!login.ok) {
      if ("retryAfter" in login) c.header("Retry-After", String(login.retryAfter));
      const error = loginError(login);
      const status =
        login.reason === "wrong"
          ? 401
          : login.reason === "pending" ||
              login.reason === "suspended" ||
              login.reason === "unconfirmed" ||
              login.reason === "disabled"
            ? 403
            : 429;
      return formPage(c, config.host, step, csrf.issue(c), status, { error, username });
    }
    const { account } = login;
    // A login on a team chooses which account the app gets; any other login, today's one step.
    const choices = await accountsForLogin(db, account);
    if (choices.length > 1) {
      const secret = await ticketSecret(db);
      const ticket = signTicket(secret, account.id, ticketBinding(step, form.csrf_token ?? ""));
      const items = choices.map(choiceItem);
      return choicePage(c, config.host, step, csrf.issue(c), ticket, items, 200);
    }
    return finish(c, db, step, { accountId: account.id, grantedByAccountId: null });
  });

  /** Step two: the ticket stands for the password just checked; the choice is checked now. */
  async function chosen(c: Context, step: AuthorizationRequest, form: AuthorizeForm) {
    const secret = await ticketSecret(db);
    const loginId = checkTicket(secret, form.ticket, ticketBinding(step, form.csrf_token ?? ""));
    if (!loginId) {
      const error = "This sign-in expired or was changed on the way. Please sign in again.";
      return formPage(c, config.host, step, csrf.issue(c), 400, { error });
    }
    if (!form.account_id || !isId(form.account_id)) {
      return htmlPage(c, messagePage("Authorization failed", "Choose an account."), 400);
    }
    try {
      return finish(c, db, step, await chooseAccount(db, loginId, form.account_id));
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      return htmlPage(c, messagePage("Authorization failed", err.message), err.status);
    }
  }

  router.post(
    "/oauth/token",
    oauthJson(async (c) => {
      const body = await readBody(c, tokenBody);
      if (!body.grant_type) throw invalidRequest("grant_type is missing");
      if (body.grant_type !== "authorization_code" && body.grant_type !== "client_credentials") {
        throw new OAuthError(400, "unsupported_grant_type", "This grant_type is not supported");
      }
      const creds = clientCredentials(c, body);
      const client = await authenticateClient(db, creds.clientId, creds.clientSecret);
      const issued =
        body.grant_type === "authorization_code"
          ? await grantAuthorizationCode(db, client, {
              code: body.code,
              redirectUri: body.redirect_uri,
              codeVerifier: body.code_verifier,
            })
          : await grantClientCredentials(db, client, body.scope);
      // RFC 6749 §5.1: responses carrying tokens must not be cached.
      c.header("Cache-Control", "no-store");
      c.header("Pragma", "no-cache");
      return c.json(serializeToken(issued));
    }),
  );

  router.post(
    "/oauth/revoke",
    oauthJson(async (c) => {
      const body = await readBody(c, revokeBody);
      const creds = clientCredentials(c, body);
      const client = await authenticateClient(db, creds.clientId, creds.clientSecret);
      if (!body.token) throw invalidRequest("token is missing");
      await revokeAccessToken(db, body.token, client.app.id);
      return c.json({});
    }),
  );

  return router;
}

/** Mints the code for the chosen account and hands it to the client (redirect or page). */
async function finish(
  c: Context,
  db: AppDeps["db"],
  step: AuthorizationRequest,
  choice: AccountChoice,
): Promise<Response> {
  const code = await issueAuthorizationCode(db, {
    appId: step.app.id,
    accountId: choice.accountId,
    grantedByAccountId: choice.grantedByAccountId,
    redirectUri: step.redirectUri,
    scopes: step.scopes,
    codeChallenge: step.codeChallenge,
    codeChallengeMethod: step.codeChallengeMethod,
  });
  if (step.redirectUri === OOB_REDIRECT_URI) {
    return htmlPage(c, oobCodePage(step.app.name, code), 200);
  }
  return redirect(c, redirectWith(step.redirectUri, { code, state: step.state }));
}

/** What the ticket binds: this very request, in this browser (its CSRF cookie). */
function ticketBinding(step: AuthorizationRequest, csrfToken: string): TicketBinding {
  return {
    clientId: step.app.clientId,
    redirectUri: step.redirectUri,
    scopes: step.scopes,
    state: step.state,
    codeChallenge: step.codeChallenge,
    codeChallengeMethod: step.codeChallengeMethod,
    csrf: csrfToken,
  };
}

function choiceItem({ account, role }: ActableAccount): AccountChoiceItem {
  return { id: account.id, acct: account.username, displayName: account.displayName, role };
}

/** What the login form says when a login fails: a wrong password, or a limit and its end. */
function loginError(login: Exclude<LoginResult, { ok: true }>): string {
  if (login.reason === "wrong") return "Wrong username or password.";
  if (login.reason === "pending") return PENDING_APPROVAL;
  if (login.reason === "unconfirmed") return UNCONFIRMED_FORM;
  if (login.reason === "suspended") return SUSPENDED_LOGIN;
  if (login.reason === "disabled") return DISABLED_LOGIN;
  const minutes = Math.max(1, Math.ceil(login.retryAfter / 60));
  const wait = `Please try again in ${minutes} minute${minutes === 1 ? "" : "s"}.`;
  return login.reason === "account"
    ? `Too many failed logins for this account: it is locked for now. ${wait}`
    : `Too many login attempts from your network. ${wait}`;
}

function pickParams(source: Record<string, unknown>): AuthorizationParams {
  const params: AuthorizationParams = {};
  for (const key of PARAM_KEYS) {
    const value = source[key];
    if (typeof value === "string") params[key] = value;
  }
  return params;
}

/**
 * Runs both validation steps. Errors about the client or its redirect_uri become a page; the
 * rest go back to the client (RFC 6749 §4.1.2.1). Returns the request, or the response to send.
 */
async function validate(
  c: Context,
  deps: AppDeps,
  params: AuthorizationParams,
): Promise<AuthorizationRequest | Response> {
  let client: ResolvedClient;
  try {
    client = await resolveClient(deps.db, params);
  } catch (err) {
    if (!(err instanceof OAuthError)) throw err;
    return htmlPage(c, messagePage("This authorization request is invalid", err.message), 400);
  }
  try {
    return checkAuthorizationRequest(client, params);
  } catch (err) {
    if (!(err instanceof OAuthError)) throw err;
    return errorRedirect(c, { ...client, state: params.state }, err);
  }
}

function errorRedirect(
  c: Context,
  to: ResolvedClient & { state?: string },
  err: OAuthError,
): Response {
  if (to.redirectUri === OOB_REDIRECT_URI) {
    return htmlPage(c, messagePage("Authorization failed", err.message), err.status);
  }
  return redirect(
    c,
    redirectWith(to.redirectUri, {
      error: err.code,
      error_description: err.message,
      state: to.state,
    }),
  );
}

/**
 * Client credentials from HTTP Basic (RFC 6749 §2.3.1: form-encoded id and secret) or the body.
 * Both may be sent by lenient clients; they must then agree.
 */
function clientCredentials(
  c: Context,
  body: { client_id?: string; client_secret?: string },
): { clientId?: string; clientSecret?: string } {
  const header = c.req.header("authorization");
  const match = header ? /^\s*Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header) : null;
  if (!match) return { clientId: body.client_id, clientSecret: body.client_secret };
  const basicError = () => invalidClient("The Basic credentials are malformed");
  const decoded = Buffer.from(match[1], "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  if (colon < 0) throw basicError();
  let clientId: string;
  let clientSecret: string;
  try {
    const unform = (s: string) => decodeURIComponent(s.replace(/\+/g, " "));
    clientId = unform(decoded.slice(0, colon));
    clientSecret = unform(decoded.slice(colon + 1));
  } catch {
    throw basicError();
  }
  if (body.client_id && body.client_id !== clientId) {
    throw invalidRequest("client_id in the body does not match the Authorization header");
  }
  if (body.client_secret && body.client_secret !== clientSecret) {
    throw invalidRequest("client_secret in the body does not match the Authorization header");
  }
  return { clientId, clientSecret };
}

/**
 * Answers errors the RFC 6749 way on the JSON endpoints: `{error: code, error_description}`.
 * A body that cannot be read is `invalid_request` (400, not 422); anything else is a real
 * failure for the app-wide onError.
 */
function oauthJson(handler: (c: Context) => Promise<Response>) {
  return async (c: Context): Promise<Response> => {
    try {
      return await handler(c);
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      const code = err instanceof OAuthError ? err.code : "invalid_request";
      const status = err instanceof OAuthError || err.status !== 422 ? err.status : 400;
      // RFC 6749 §5.2: a failed Basic authentication answers with a Basic challenge.
      if (code === "invalid_client" && /^\s*Basic\s/i.test(c.req.header("authorization") ?? "")) {
        c.header("WWW-Authenticate", 'Basic realm="oauth"');
      }
      c.header("Cache-Control", "no-store");
      return c.json({ error: code, error_description: err.message }, status as 400);
    }
  };
}
