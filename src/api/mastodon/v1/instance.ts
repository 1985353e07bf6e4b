import { Hono } from "hono";
import type { AppDeps } from "../../../deps.ts";
import { TERN_VERSION } from "../../../federation/dispatchers/nodeinfo.ts";
import { countLocalAccounts } from "../../../services/accounts/accounts.ts";
import { instanceStats } from "../../../services/instance.ts";
import { MAX_MEDIA_PER_STATUS } from "../../../services/media/attach.ts";
import { ORIGINAL_MAX_PIXELS } from "../../../services/media/image.ts";
import {
  DESCRIPTION_MAX_CHARS,
  IMAGE_MAX_BYTES,
  VIDEO_MAX_BYTES,
} from "../../../services/media/media.ts";
import { hasFfmpeg } from "../../../services/media/video.ts";
import { PIN_LIMIT } from "../../../services/pins/pins.ts";
import { CHARS_PER_URL, MAX_STATUS_CHARS } from "../../../services/statuses/local.ts";
import type { ApiEnv } from "../env.ts";

/** Clients read the Mastodon version to decide which features to use; Tern speaks 4.5's API. */
export const API_VERSION = `4.5.0 (compatible; Tern ${TERN_VERSION})`;

/** The upload types clients may offer: pictures always, video and audio when ffmpeg is here. */
const IMAGE_TYPES = [
  "image/jpeg",
  "image/png",
  "image/gif",
  "image/webp",
  "image/heic",
  "image/avif",
];
const AV_TYPES = [
  ...["video/mp4", "video/quicktime", "video/webm", "video/x-matroska", "video/x-msvideo"],
  ...["audio/mpeg", "audio/mp4", "audio/ogg", "audio/wave", "audio/wav", "audio/flac"],
];

/** What the media pipeline takes (services/media); clients scale pictures to the matrix. */
async function mediaLimits() {
  const video = await hasFfmpeg();
  return {
    supported_mime_types: [...IMAGE_TYPES, ...(video ? AV_TYPES : [])],
    image_size_limit: IMAGE_MAX_BYTES,
    image_matrix_limit: 33_177_600,
    video_size_limit: video ? VIDEO_MAX_BYTES : 0,
    video_frame_rate_limit: video ? 120 : 0,
    video_matrix_limit: video ? ORIGINAL_MAX_PIXELS : 0,
  };
}
const pollLimits = {
  max_options: 0,
  max_characters_per_option: 0,
  min_expiration: 0,
  max_expiration: 0,
};

const statusLimits = {
  max_characters: MAX_STATUS_CHARS,
  max_media_attachments: MAX_MEDIA_PER_STATUS,
  characters_reserved_per_url: CHARS_PER_URL,
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
      stats: {
        user_count: await countLocalAccounts(db),
        status_count: stats.localStatuses,
        domain_count: stats.domains,
      },
      // Mastodon always has a picture here (its default when none is set); clients show it.
      thumbnail: `${config.publicUrl}/static/header.png`,
      languages: ["en"],
      registrations: false,
      approval_required: false,
      invites_enabled: false,
      configuration: {
        accounts: { max_featured_tags: 0 },
        statuses: statusLimits,
        media_attachments: await mediaLimits(),
        polls: pollLimits,
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
      thumbnail: { url: `${config.publicUrl}/static/header.png`, description: "" },
      icon: [],
      languages: ["en"],
      configuration: {
        urls: {
          streaming: config.publicUrl.replace(/^http/, "ws"),
          status: null,
          about: `${config.publicUrl}/`,
          privacy_policy: null,
          terms_of_service: null,
        },
        vapid: { public_key: "" },
        // Profile limits are Mastodon's defaults (Tern has no profile editing API yet).
        accounts: {
          max_display_name_length: 30,
          max_note_length: 500,
          max_featured_tags: 0,
          max_pinned_statuses: PIN_LIMIT,
          max_profile_fields: 4,
          profile_field_name_limit: 255,
          profile_field_value_limit: 255,
        },
        statuses: statusLimits,
        media_attachments: { ...(await mediaLimits()), description_limit: DESCRIPTION_MAX_CHARS },
        polls: pollLimits,
        translation: { enabled: false },
        // The public timeline is open to anybody; Tern has no hashtag or trending-link feeds yet.
        timelines_access: {
          live_feeds: { local: "public", remote: "public" },
          hashtag_feeds: { local: "disabled", remote: "disabled" },
          trending_link_feeds: { local: "disabled", remote: "disabled" },
        },
        limited_federation: false,
      },
      registrations: {
        enabled: false,
        approval_required: false,
        reason_required: false,
        message: null,
        min_age: null,
        url: null,
      },
      api_versions: { mastodon: 6 },
      contact: { email: "", account: null },
      rules: [],
    });
  });
  return app;
}
