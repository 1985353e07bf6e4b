import { Hono } from "hono";
import { z } from "zod";
import type { AppDeps } from "../../../deps.ts";
import {
  type CleanupSettings,
  getCleanupPolicy,
  updateCleanupPolicy,
} from "../../../services/statuses/cleanup.ts";
import { readBody } from "../body.ts";
import type { ApiEnv } from "../env.ts";
import { currentAccount, requireScope } from "../middleware/auth.ts";

const boolish = z.union([
  z.boolean(),
  z.enum(["true", "false", "1", "0"]).transform((v) => v === "true" || v === "1"),
]);
const count = z
  .union([
    z.number(),
    z
      .string()
      .regex(/^\d*$/)
      .transform((v) => (v === "" ? null : Number(v))),
  ])
  .nullable()
  .refine((v) => v === null || (Number.isInteger(v) && v >= 0 && v <= 1_000_000_000), {
    message: "must be a whole number or null",
  })
  .transform((v) => (v === 0 ? null : v));

/** Every field optional; unknown ones are a 422 naming them. */
const body = z
  .object({
    enabled: boolish,
    min_status_age_days: z.union([z.number(), z.string().regex(/^\d+$/).transform(Number)]),
    keep_direct: boolish,
    keep_pinned: boolish,
    keep_polls: boolish,
    keep_media: boolish,
    keep_self_fav: boolish,
    keep_self_bookmark: boolish,
    min_favs: count,
    min_reblogs: count,
  })
  .partial()
  .strict();

const serialize = (p: CleanupSettings) => ({
  enabled: p.enabled,
  min_status_age_days: p.minStatusAgeDays,
  keep_direct: p.keepDirect,
  keep_pinned: p.keepPinned,
  keep_polls: p.keepPolls,
  keep_media: p.keepMedia,
  keep_self_fav: p.keepSelfFav,
  keep_self_bookmark: p.keepSelfBookmark,
  min_favs: p.minFavs,
  min_reblogs: p.minReblogs,
});

/** Tern's own `/api/v1/tern/cleanup_policy`: the account's automatic post deletion. */
export function cleanupPolicyRouter(deps: AppDeps): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>();
  app.get("/", requireScope("read:accounts"), async (c) =>
    c.json(serialize(await getCleanupPolicy(deps.db, currentAccount(c).id))),
  );
  app.put("/", requireScope("write:accounts"), async (c) => {
    const b = await readBody(c, body);
    const saved = await updateCleanupPolicy(deps.db, currentAccount(c).id, {
      enabled: b.enabled,
      minStatusAgeDays: b.min_status_age_days,
      keepDirect: b.keep_direct,
      keepPinned: b.keep_pinned,
      keepPolls: b.keep_polls,
      keepMedia: b.keep_media,
      keepSelfFav: b.keep_self_fav,
      keepSelfBookmark: b.keep_self_bookmark,
      minFavs: b.min_favs,
      minReblogs: b.min_reblogs,
    });
    return c.json(serialize(saved));
  });
  return app;
}
