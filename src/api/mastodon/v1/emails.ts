/**
 * `POST /api/v1/emails/confirmations` (a new confirmation link, to a new address if `email` is
 * given; 403 once confirmed) and `GET /api/v1/emails/check_confirmation` (true or false), as
 * Mastodon. Both work with the token of an account that has not confirmed yet: the auth
 * middleware refuses such a token everywhere else.
 */
import { Hono } from "hono";
import { z } from "zod";
import type { AppDeps } from "../../../deps.ts";
import { isUnconfirmed, resendConfirmation } from "../../../services/accounts/email.ts";
import { readBody } from "../body.ts";
import type { ApiEnv } from "../env.ts";
import { currentAccount, requireScope } from "../middleware/auth.ts";

const confirmationBody = z.object({ email: z.string().max(500).optional() });

export function emailsRouter(deps: AppDeps): Hono<ApiEnv> {
  const { db, config } = deps;
  const app = new Hono<ApiEnv>();

  app.post("/confirmations", requireScope("write:accounts"), async (c) => {
    const body = await readBody(c, confirmationBody);
    const email = body.email?.trim() || undefined;
    await resendConfirmation(db, config, currentAccount(c).id, email);
    return c.json({});
  });

  app.get("/check_confirmation", requireScope("read:accounts"), async (c) =>
    c.json(!(await isUnconfirmed(db, currentAccount(c).id))),
  );

  return app;
}
