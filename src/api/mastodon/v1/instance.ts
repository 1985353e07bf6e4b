import { Hono } from "hono";
import type { AppDeps } from "../../../deps.ts";
import { TERN_VERSION } from "../../../federation/dispatchers/nodeinfo.ts";
import { countLocalAccounts } from "../../../services/accounts/accounts.ts";
import { MAX_STATUS_CHARS } from "../../../services/statuses/local.ts";
import { instanceStats } from "../../../services/instance.ts";
import type { ApiEnv } from "../env.ts";

/** Clients read the Mastodon version to decide which features to use; Tern speaks 4.5's API. */
export const API_VERSION = `4.5.0 (compatible; Tern ${TERN_VERSION})`;

const statusLimits = {
  max_characters: MAX_STATUS_CHARS,
  max_media_attachments: 0,
  characters_reserved_per_url: 23,
};

/** GET /api/v1/instance (Mastodon's V1_Instance). */
export function instanceV1Router(deps: AppDeps): Hono<ApiEnv> {
  const { config, db } = deps;
  const app = new Hono<ApiEnv>();
  app.get("/", async (c) => {
    const stats = await instanceStats(db);
    return c.json({
      uri: config.host,
      title: config.host,
      short_description: "A Tern server",
      description: "A Tern server: federated microblogging with a Mastodon-compatible API.",
      email: "",
      version: API_VERSION,
      urls: { streaming_api: config.publicUrl.replace(/^http/, "ws") },
      stats: { user_count: await countLocalAccounts(db), status_count: stats.localStatuses, domain_count: stats.domains },
      thumbnail: null,
      languages: ["en"],
      registrations: false,
      approval_required: false,
      invites_enabled: false,
      configuration: {
        accounts: { max_featured_tags: 0 },
        statuses: statusLimits,
        media_attachments: { supported_mime_types: [], image_size_limit: 0, image_matrix_limit: 0, video_size_limit: 0, video_frame_rate_limit: 0, video_matrix_limit: 0 },
        polls: { max_options: 0, max_characters_per_option: 0, min_expiration: 0, max_expiration: 0 },
      },
      contact_account: null,
      rules: [],
    });
  });
  return app;
}

/** GET /api/v2/instance (Mastodon's Instance). */
export function instanceV2Router(deps: AppDeps): Hono<ApiEnv> {
  const { config, db } = deps;
  const app = new Hono<ApiEnv>();
  app.get("/", async (c) => {
    const stats = await instanceStats(db);
    return c.json({
      domain: config.host,
      title: config.host,
      version: API_VERSION,
      description: "A Tern server: federated microblogging with a Mastodon-compatible API.",
      usage: { users: { active_month: stats.activeMonth } },
      thumbnail: { url: `${config.publicUrl}/static/header.png` },
      icon: [],
      languages: ["en"],
      configuration: {
        urls: { streaming: config.publicUrl.replace(/^http/, "ws"), status: null },
        vapid: { public_key: "" },
        accounts: { max_featured_tags: 0, max_pinned_statuses: 0 },
        statuses: statusLimits,
        media_attachments: { supported_mime_types: [], description_limit: 1500, image_size_limit: 0, image_matrix_limit: 0, video_size_limit: 0, video_frame_rate_limit: 0, video_matrix_limit: 0 },
        polls: { max_options: 0, max_characters_per_option: 0, min_expiration: 0, max_expiration: 0 },
        translation: { enabled: false },
      },
      registrations: { enabled: false, approval_required: false, message: null, url: null },
      api_versions: { mastodon: 6 },
      contact: { email: "", account: null },
      rules: [],
    });
  });
  return app;
}
