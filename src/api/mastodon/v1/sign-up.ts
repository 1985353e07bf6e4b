/**
 * `POST /api/v1/accounts`: an app signs a person up with its app token (`write:accounts`) and
 * gets a user token back, Mastodon's Token entity. Under approval the token exists but every
 * call with it is a 403 until a moderator approves. Limited per address (middleware/rate-limit).
 */
import { Hono } from "hono";
import { z } from "zod";
import type { AppDeps } from "../../../deps.ts";
import { AppError } from "../../../lib/errors.ts";
import { SignUpValidationError, signUp } from "../../../services/accounts/sign-up.ts";
import { appScopes, getApp } from "../../../services/oauth/apps.ts";
import { ipBucket } from "../../client-ip.ts";
import { clientIp } from "../../request-log.ts";
import { readBody } from "../body.ts";
import { serializeToken } from "../entities/token.ts";
import type { ApiEnv } from "../env.ts";
import { requireScope } from "../middleware/auth.ts";

const text = (max: number) => z.string().max(max).optional();
// Rails' boolean casting (a form sends "1" or "true"; JSON sends true).
const flag = z
  .union([z.boolean(), z.string().max(10)])
  .optional()
  .transform((v) => v === true || (typeof v === "string" && ["1", "true", "on", "t"].includes(v)));

const signUpBody = z.object({
  username: text(200),
  email: text(500),
  password: text(2000),
  agreement: flag,
  locale: text(50),
  reason: text(5000),
  invite_code: text(200),
  date_of_birth: text(50),
  // Sent by Mastodon's own apps; Tern keeps no time zone, so it is accepted and dropped.
  time_zone: text(100),
});

export function signUpRouter(deps: AppDeps): Hono<ApiEnv> {
  const { db, config } = deps;
  const app = new Hono<ApiEnv>();

  app.post("/", requireScope("write:accounts", { user: false }), async (c) => {
    const body = await readBody(c, signUpBody);
    // Tern sets no minimum age, so it has nowhere to keep or check a birth date.
    if (body.date_of_birth)
      throw new AppError(422, "date_of_birth is not supported: this server sets no minimum age");
    const auth = c.var.auth!;
    const scopes = auth.appId ? appScopes(await getApp(db, auth.appId)) : auth.scopes;
    try {
      const { token } = await signUp(db, config.publicUrl, {
        username: (body.username ?? "").trim(),
        password: body.password ?? "",
        email: body.email?.trim() || undefined,
        agreement: body.agreement,
        locale: body.locale?.trim() || undefined,
        reason: body.reason?.trim() || undefined,
        inviteCode: body.invite_code?.trim() || undefined,
        ip: ipBucket(clientIp(c)),
        confirmation: config.smtp ? config : undefined,
        token: { appId: auth.appId, scopes },
      });
      c.header("Cache-Control", "no-store");
      return c.json(serializeToken(token!));
    } catch (err) {
      if (err instanceof SignUpValidationError)
        return c.json({ error: err.message, details: err.details }, 422);
      throw err;
    }
  });

  return app;
}
