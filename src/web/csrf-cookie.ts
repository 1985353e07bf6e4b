/**
 * Double-submit CSRF token for forms a signed-out browser sends (OAuth login, setup, sign-up):
 * a random value in a SameSite=Strict, HttpOnly cookie and the same value in a hidden field; a
 * cross-site form cannot read the cookie, and the browser will not send it cross-site anyway.
 * An Origin header, when sent, must be ours. On https the cookie takes the __Host- prefix (and
 * so path /), so a sibling subdomain cannot plant one.
 */
import type { Context } from "hono";
import { getCookie, setCookie } from "hono/cookie";
import { randomSecret, safeEqual } from "../services/oauth/crypto.ts";

export interface CsrfCookie {
  /** The token for a new form; reuses the cookie's so several open tabs keep working. */
  issue(c: Context): string;
  check(c: Context, field: string | undefined): boolean;
}

export function csrfCookie(publicUrl: string, base: string, path: string): CsrfCookie {
  const secure = publicUrl.startsWith("https:");
  const name = secure ? `__Host-${base}` : base;
  const cookiePath = secure ? "/" : path;
  const valid = (v: string | undefined): v is string => !!v && /^[A-Za-z0-9_-]{43}$/.test(v);
  return {
    issue(c) {
      const current = getCookie(c, name);
      const token = valid(current) ? current : randomSecret(32);
      setCookie(c, name, token, {
        path: cookiePath,
        secure,
        httpOnly: true,
        sameSite: "Strict",
        maxAge: 60 * 60,
      });
      return token;
    },
    check(c, field) {
      const origin = c.req.header("origin");
      if (origin && origin !== "null" && origin !== publicUrl) return false;
      const cookie = getCookie(c, name);
      return valid(cookie) && valid(field) && safeEqual(cookie, field);
    },
  };
}
