/**
 * Cookies and guards for Tern's own signed-in pages. The session cookie is HttpOnly,
 * SameSite=Lax (a link from elsewhere still arrives signed in) and, on https, `__Host-` prefixed
 * and Secure. Every POST of a signed-in page must carry the session's CSRF token in the
 * `csrf_token` field, and its Origin, when sent, must be ours.
 */
import type { Context, MiddlewareHandler } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { clientIp } from "../api/request-log.ts";
import type { AppDeps } from "../deps.ts";
import { safeEqual } from "../services/oauth/crypto.ts";
import {
  createWebSession,
  findWebSession,
  SESSION_DAYS,
  type WebSession,
} from "../services/sessions/web-sessions.ts";

declare module "hono" {
  interface ContextVariableMap {
    webSession: WebSession | undefined;
  }
}

function cookieName(publicUrl: string): { name: string; secure: boolean } {
  const secure = publicUrl.startsWith("https:");
  return { name: secure ? "__Host-tern_session" : "tern_session", secure };
}

/** The request's session (cached on the context), or undefined when signed out. */
export async function currentSession(c: Context, deps: AppDeps): Promise<WebSession | undefined> {
  if (c.get("webSession")) return c.get("webSession");
  const token = getCookie(c, cookieName(deps.config.publicUrl).name);
  const session = token ? await findWebSession(deps.db, token) : undefined;
  c.set("webSession", session);
  return session;
}

/** Signs the browser in as `accountId` (after a password check, a sign-up or the setup page). */
export async function startSession(c: Context, deps: AppDeps, accountId: string): Promise<void> {
  const { token } = await createWebSession(deps.db, accountId, {
    userAgent: c.req.header("user-agent"),
    ip: clientIp(c),
  });
  const { name, secure } = cookieName(deps.config.publicUrl);
  setCookie(c, name, token, {
    path: "/",
    secure,
    httpOnly: true,
    sameSite: "Lax",
    maxAge: SESSION_DAYS * 86_400,
  });
}

export function clearSessionCookie(c: Context, deps: AppDeps): void {
  const { name, secure } = cookieName(deps.config.publicUrl);
  deleteCookie(c, name, { path: "/", secure });
}

/** Signed-out browsers are sent to the sign-in page, and come back here afterwards. */
export function requireSession(deps: AppDeps): MiddlewareHandler {
  return async (c, next) => {
    const session = await currentSession(c, deps);
    if (!session) {
      const back = new URL(c.req.url).pathname + new URL(c.req.url).search;
      return c.redirect(`/auth/sign_in?next=${encodeURIComponent(back)}`, 302);
    }
    await next();
  };
}

/** Admin pages: a signed-in admin or moderator; anyone else gets a 403 page. */
export function requireStaff(
  deps: AppDeps,
  roles: string[] = ["admin", "moderator"],
): MiddlewareHandler {
  const signedIn = requireSession(deps);
  return async (c, next) => {
    let passed = false;
    const redirected = await signedIn(c, async () => {
      passed = true;
    });
    if (!passed) return redirected as Response;
    const session = c.get("webSession");
    if (!session || !roles.includes(session.role)) {
      return c.html(
        "<!doctype html><title>Forbidden</title><p>Only moderators may see this page.</p>",
        403,
      );
    }
    await next();
  };
}

/** Whether a signed-in form POST is genuine: same origin (when sent) and the session's token. */
export function csrfOk(c: Context, deps: AppDeps, field: unknown): boolean {
  const origin = c.req.header("origin");
  if (origin && origin !== "null" && origin !== deps.config.publicUrl) return false;
  const session = c.get("webSession");
  return (
    !!session &&
    typeof field === "string" &&
    field.length > 0 &&
    safeEqual(field, session.csrfToken)
  );
}
