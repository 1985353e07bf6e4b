/** The responses of the authorize flow: its pages (uncached, unframed) and its redirects. */
import type { Context } from "hono";
import type { AuthorizationRequest } from "../services/oauth/authorize.ts";
import { type AccountChoiceItem, accountChoicePage, authorizePage } from "./authorize-page.ts";

/** The OAuth parameters of a request, as the pages post them back. */
function oauthFields(req: AuthorizationRequest, csrfToken: string) {
  return {
    response_type: "code",
    client_id: req.app.clientId,
    redirect_uri: req.redirectUri,
    scope: req.scopes.join(" "),
    state: req.state,
    code_challenge: req.codeChallenge ?? undefined,
    code_challenge_method: req.codeChallengeMethod ?? undefined,
    csrf_token: csrfToken,
  };
}

export function formPage(
  c: Context,
  /** The public host (not the Host header, which a proxy may have rewritten). */
  host: string,
  req: AuthorizationRequest,
  csrfToken: string,
  status: number,
  extra: { error?: string; username?: string } = {},
): Response {
  const hidden = oauthFields(req, csrfToken);
  const html = authorizePage({
    host,
    appName: req.app.name,
    appWebsite: req.app.website,
    scopes: req.scopes,
    hidden,
    ...extra,
  });
  return htmlPage(c, html, status);
}

const PAGE_HEADERS = {
  "Cache-Control": "no-store",
  "X-Frame-Options": "DENY",
  // No form-action: browsers apply it to the redirect after the POST, to any client scheme.
  "Content-Security-Policy":
    "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'",
  // Not no-referrer: that would make the browser send `Origin: null` with our own form.
  "Referrer-Policy": "same-origin",
  "X-Content-Type-Options": "nosniff",
};

/** Pages of the flow: never cached, never framed (clickjacking a consent button), no scripts. */
export function htmlPage(c: Context, html: string, status: number): Response {
  return c.html(html, status as 200, PAGE_HEADERS);
}

export function redirect(c: Context, location: string): Response {
  c.header("Cache-Control", "no-store");
  return c.redirect(location, 302);
}

/** Step two: the accounts the login may hand to the app; the ticket stands for the password. */
export function choicePage(
  c: Context,
  host: string,
  req: AuthorizationRequest,
  csrfToken: string,
  ticket: string,
  accounts: AccountChoiceItem[],
  status: number,
  error?: string,
): Response {
  const hidden = { ...oauthFields(req, csrfToken), ticket };
  const html = accountChoicePage({ host, appName: req.app.name, accounts, hidden, error });
  return htmlPage(c, html, status);
}
