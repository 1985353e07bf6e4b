import { Hono } from "hono";
import { z } from "zod";
import type { AppDeps } from "../../../deps.ts";
import {
  ALERT_TYPES,
  deleteSubscription,
  getSubscription,
  type PushSubscription,
  saveSubscription,
  updateSubscription,
} from "../../../services/push/subscriptions.ts";
import { vapidPublicKey } from "../../../services/push/vapid.ts";
import { readBody } from "../body.ts";
import type { ApiEnv } from "../env.ts";
import { currentAccount, requireScope } from "../middleware/auth.ts";

/** Mastodon's WebPushSubscription entity. */
export interface MastodonPushSubscription {
  id: string;
  endpoint: string;
  standard: boolean;
  alerts: Record<string, boolean>;
  policy: string;
  server_key: string;
}

/** JSON sends booleans, forms send "true" / "false" / "1" / "0". */
const flag = z
  .union([z.boolean(), z.enum(["true", "false", "1", "0", ""])])
  .transform((v) => v === true || v === "true" || v === "1");

// Strict: an alert Tern does not know is a 422 that names it, not silently dropped.
const alerts = z.strictObject(Object.fromEntries(ALERT_TYPES.map((t) => [t, flag.optional()])));
const data = z
  .strictObject({
    alerts: alerts.optional(),
    policy: z.enum(["all", "followed", "follower", "none"]).optional(),
  })
  .optional();

const createBody = z.object({
  subscription: z.strictObject({
    endpoint: z.string().min(1).max(2048),
    keys: z.strictObject({ p256dh: z.string().min(1).max(200), auth: z.string().min(1).max(100) }),
    standard: flag.optional(),
  }),
  data,
  policy: z.enum(["all", "followed", "follower", "none"]).optional(),
});
const updateBody = z.object({
  data,
  policy: z.enum(["all", "followed", "follower", "none"]).optional(),
});

/** /api/v1/push/subscription: the Web Push subscription of the calling token (one per token). */
export function pushRouter(deps: AppDeps): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>();
  const tokenOf = (c: { get(k: "auth"): { tokenId: string } | null }) => c.get("auth")!.tokenId;
  const serialize = (s: PushSubscription): MastodonPushSubscription => ({
    id: s.id,
    endpoint: s.endpoint,
    standard: s.standard,
    alerts: s.alerts,
    policy: s.policy,
    server_key: vapidPublicKey(deps.db),
  });
  app.use("*", requireScope("push"));

  app.post("/", async (c) => {
    const body = await readBody(c, createBody);
    const sub = await saveSubscription(
      deps.db,
      { tokenId: tokenOf(c), accountId: currentAccount(c).id },
      {
        endpoint: body.subscription.endpoint,
        p256dh: body.subscription.keys.p256dh,
        auth: body.subscription.keys.auth,
        standard: body.subscription.standard ?? false,
        alerts: body.data?.alerts,
        policy: body.data?.policy ?? body.policy,
      },
      deps.config.allowPrivateAddresses,
    );
    return c.json(serialize(sub));
  });

  app.get("/", async (c) => c.json(serialize(await getSubscription(deps.db, tokenOf(c)))));

  app.put("/", async (c) => {
    const body = await readBody(c, updateBody);
    const sub = await updateSubscription(deps.db, tokenOf(c), {
      alerts: body.data?.alerts,
      policy: body.data?.policy ?? body.policy,
    });
    return c.json(serialize(sub));
  });

  app.delete("/", async (c) => {
    await deleteSubscription(deps.db, tokenOf(c));
    return c.json({});
  });

  return app;
}
