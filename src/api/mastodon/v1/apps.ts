import { Hono } from "hono";
import { z } from "zod";
import type { AppDeps } from "../../../deps.ts";
import { unauthorized } from "../../../lib/errors.ts";
import { createApp, getApp } from "../../../services/oauth/apps.ts";
import { vapidPublicKey } from "../../../services/push/vapid.ts";
import { readBody } from "../body.ts";
import { serializeApplication, serializeCredentialApplication } from "../entities/application.ts";
import type { ApiEnv } from "../env.ts";
import { authenticate, requireToken } from "../middleware/auth.ts";

/** Form posts send "" for an empty field; treat it as absent. */
const optionalText = z
  .string()
  .optional()
  .transform((s) => (s === "" ? undefined : s));

const createAppBody = z.object({
  client_name: z.string({ error: "client_name is required" }).min(1, "client_name is required"),
  redirect_uris: z.union([z.string(), z.array(z.string())], {
    error: "redirect_uris is required",
  }),
  scopes: optionalText,
  website: optionalText.nullable(),
});

/** /api/v1/apps: client registration (RFC 7591-ish, Mastodon's shape). */
export function appsRouter(deps: AppDeps): Hono<ApiEnv> {
  const router = new Hono<ApiEnv>();

  router.post("/", async (c) => {
    const body = await readBody(c, createAppBody);
    const { app, clientSecret } = await createApp(deps.db, {
      name: body.client_name,
      redirectUris: body.redirect_uris,
      scopes: body.scopes,
      website: body.website,
    });
    return c.json(serializeCredentialApplication(app, clientSecret, vapidPublicKey(deps.db)));
  });

  router.get("/verify_credentials", authenticate(deps), requireToken(), async (c) => {
    const auth = c.get("auth");
    // Tokens made outside any app (none today) have nothing to verify.
    if (!auth?.appId) throw unauthorized();
    return c.json(serializeApplication(await getApp(deps.db, auth.appId), vapidPublicKey(deps.db)));
  });

  return router;
}
