import { Hono } from "hono";
import type { AppDeps } from "../../../deps.ts";
import { countLocalAccounts } from "../../../services/accounts/accounts.ts";
import {
  instanceStats,
  knownPeers,
  readInstanceSettings,
  weeklyActivity,
} from "../../../services/instance.ts";
import { serializeInstanceV1, serializeInstanceV2, serializeRules } from "../entities/instance.ts";
import type { ApiEnv } from "../env.ts";

export { API_VERSION } from "../entities/instance.ts";

/** GET /api/v1/instance (Mastodon's V1_Instance) and its sub-resources. */
export function instanceV1Router(deps: AppDeps): Hono<ApiEnv> {
  const { config, db } = deps;
  const app = new Hono<ApiEnv>();
  app.get("/", async (c) => {
    const [settings, stats, users] = await Promise.all([
      readInstanceSettings(db),
      instanceStats(db),
      countLocalAccounts(db),
    ]);
    return c.json(
      await serializeInstanceV1(db, config, settings, {
        users,
        statuses: stats.localStatuses,
        domains: stats.domains,
      }),
    );
  });
  app.get("/rules", async (c) => c.json(await serializeRules(db)));
  app.get("/peers", async (c) => c.json(await knownPeers(db)));
  app.get("/activity", async (c) => c.json(await weeklyActivity(db)));
  // Mastodon answers these with an empty document (not a 404) until the admin writes one.
  app.get("/extended_description", async (c) => {
    const s = await readInstanceSettings(db);
    const at = s.updatedAt.extended_description;
    return c.json({
      updated_at: (at ?? new Date(0)).toISOString(),
      content: s.extendedDescription ?? "",
    });
  });
  app.get("/privacy_policy", async (c) => {
    const s = await readInstanceSettings(db);
    const at = s.updatedAt.privacy_policy;
    return c.json({
      updated_at: (at ?? new Date(0)).toISOString(),
      content: s.privacyPolicy ?? "",
    });
  });
  // No terms written: a 404, as Mastodon answers a server without terms of service.
  app.get("/terms_of_service", async (c) => {
    const s = await readInstanceSettings(db);
    if (!s.termsOfService) return c.json({ error: "Record not found" }, 404);
    const at = s.updatedAt.terms_of_service ?? new Date(0);
    return c.json({
      effective_date: at.toISOString().slice(0, 10),
      effective: true,
      content: s.termsOfService,
      succeeded_by: null,
    });
  });
  // No translation service: no language pairs (`{}`, as Mastodon without one).
  app.get("/translation_languages", (c) => c.json({}));
  return app;
}

/** GET /api/v2/instance (Mastodon's Instance). */
export function instanceV2Router(deps: AppDeps): Hono<ApiEnv> {
  const { config, db } = deps;
  const app = new Hono<ApiEnv>();
  app.get("/", async (c) => {
    const [settings, stats] = await Promise.all([readInstanceSettings(db), instanceStats(db)]);
    return c.json(await serializeInstanceV2(db, config, settings, stats.activeMonth));
  });
  return app;
}
