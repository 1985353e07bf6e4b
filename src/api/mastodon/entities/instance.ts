import type { Config } from "../../../config/index.ts";
import type { Db } from "../../../db/client.ts";
import { TERN_VERSION } from "../../../federation/dispatchers/nodeinfo.ts";
import { findLocalAccount } from "../../../services/accounts/accounts.ts";
import { type InstanceSettings, listRules } from "../../../services/instance.ts";
import { MAX_MEDIA_PER_STATUS } from "../../../services/media/attach.ts";
import { INPUT_MAX_PIXELS, ORIGINAL_MAX_PIXELS } from "../../../services/media/image.ts";
import {
  DESCRIPTION_MAX_CHARS,
  IMAGE_MAX_BYTES,
  VIDEO_MAX_BYTES,
} from "../../../services/media/media.ts";
import { hasFfmpeg } from "../../../services/media/video.ts";
import { PIN_LIMIT } from "../../../services/pins/pins.ts";
import { POLL_LIMITS } from "../../../services/polls/polls.ts";
import { CHARS_PER_URL } from "../../../services/statuses/local.ts";
import { type MastodonAccount, serializeOneAccount } from "./account.ts";

/** Clients read the Mastodon version to decide which features to use; Tern speaks 4.5's API. */
export const API_VERSION = `4.5.0 (compatible; Tern ${TERN_VERSION})`;
/** Mastodon 4.5's `api_versions.mastodon` (4.3 was 2; quote posts need 7). */
export const MASTODON_API_LEVEL = 7;

const DEFAULT_DESCRIPTION =
  "A Tern server: federated microblogging with a Mastodon-compatible API.";

/** Where clients open the streaming API: the same origin as the API, over ws(s) (src/streaming). */
export function streamingUrl(config: Config): string {
  return config.publicUrl.replace(/^http/, "ws");
}

/** The upload types clients may offer: pictures always, video and audio when ffmpeg is here. */
const IMAGE_TYPES = [
  "image/jpeg",
  "image/png",
  "image/gif",
  "image/webp",
  "image/heic",
  "image/heif",
  "image/avif",
];
const AV_TYPES = [
  ...["video/mp4", "video/quicktime", "video/webm", "video/x-matroska", "video/x-msvideo"],
  ...["audio/mpeg", "audio/mp4", "audio/ogg", "audio/wave", "audio/wav", "audio/flac"],
];

/** What the media pipeline takes (services/media); zero video limits hide video uploads. */
async function mediaLimits() {
  const video = await hasFfmpeg();
  return {
    supported_mime_types: [...IMAGE_TYPES, ...(video ? AV_TYPES : [])],
    image_size_limit: IMAGE_MAX_BYTES,
    image_matrix_limit: INPUT_MAX_PIXELS,
    video_size_limit: video ? VIDEO_MAX_BYTES : 0,
    video_frame_rate_limit: video ? 120 : 0,
    video_matrix_limit: video ? ORIGINAL_MAX_PIXELS : 0,
  };
}

/** The poll rules services/polls enforces, in Mastodon's names. */
const pollLimits = {
  max_options: POLL_LIMITS.maxOptions,
  max_characters_per_option: POLL_LIMITS.maxCharactersPerOption,
  min_expiration: POLL_LIMITS.minExpiration,
  max_expiration: POLL_LIMITS.maxExpiration,
};

const statusLimits = (config: Config) => ({
  max_characters: config.maxStatusChars,
  max_media_attachments: MAX_MEDIA_PER_STATUS,
  characters_reserved_per_url: CHARS_PER_URL,
});

/** Mastodon's Rule entity. */
export interface MastodonRule {
  id: string;
  text: string;
  hint: string;
  translations: Record<string, { text: string; hint: string }>;
}

/** The server's rules, in order (`rules` of both instance entities and `/instance/rules`). */
export async function serializeRules(db: Db): Promise<MastodonRule[]> {
  return (await listRules(db)).map((r) => ({
    id: r.id,
    text: r.text,
    hint: r.hint,
    translations: {},
  }));
}

async function contactOf(db: Db, config: Config, s: InstanceSettings) {
  const account = s.contactAccount ? await findLocalAccount(db, s.contactAccount) : undefined;
  return {
    email: s.contactEmail ?? "",
    account: account ? await serializeOneAccount(db, account, config.publicUrl) : null,
  };
}

// The admin's upload (admin settings page), else the default picture.
const thumbnailUrl = (config: Config, s: InstanceSettings) =>
  s.thumbnailUrl ?? `${config.publicUrl}/static/header.png`;

/** Mastodon's V1_Instance, built from the same settings and limits as v2. */
export async function serializeInstanceV1(
  db: Db,
  config: Config,
  s: InstanceSettings,
  stats: { users: number; statuses: number; domains: number },
) {
  const contact = await contactOf(db, config, s);
  const registrations = s.registrations ?? { enabled: false, approvalRequired: false };
  return {
    uri: config.host,
    title: s.title ?? config.host,
    short_description: s.description ?? DEFAULT_DESCRIPTION,
    description: s.description ?? DEFAULT_DESCRIPTION,
    email: contact.email,
    version: API_VERSION,
    urls: { streaming_api: streamingUrl(config) },
    stats: { user_count: stats.users, status_count: stats.statuses, domain_count: stats.domains },
    // Mastodon always has a picture here (its default when none is set); clients show it.
    thumbnail: thumbnailUrl(config, s),
    languages: s.languages ?? ["en"],
    registrations: registrations.enabled,
    approval_required: registrations.approvalRequired,
    // Any user may make invite links (/settings/invites), as on Mastodon by default.
    invites_enabled: true,
    // Pleroma's and glitch-soc's name for the limit, which some older apps still read.
    max_toot_chars: config.maxStatusChars,
    configuration: {
      accounts: { max_featured_tags: 10 },
      statuses: statusLimits(config),
      media_attachments: await mediaLimits(),
      polls: pollLimits,
    },
    contact_account: contact.account as MastodonAccount | null,
    rules: await serializeRules(db),
  };
}

/** Mastodon's Instance (v2), every field 4.5 documents. */
export async function serializeInstanceV2(
  db: Db,
  config: Config,
  s: InstanceSettings,
  activeMonth: number,
) {
  const page = (path: string, text: string | undefined) =>
    text ? `${config.publicUrl}/api/v1/instance/${path}` : null;
  const registrations = s.registrations ?? {
    enabled: false,
    approvalRequired: false,
    message: null,
  };
  return {
    domain: config.host,
    title: s.title ?? config.host,
    version: API_VERSION,
    description: s.description ?? DEFAULT_DESCRIPTION,
    usage: { users: { active_month: activeMonth } },
    thumbnail: { url: thumbnailUrl(config, s), description: "", blurhash: null, versions: {} },
    icon: [{ src: `${config.publicUrl}/static/avatar.png`, size: "400x400" }],
    languages: s.languages ?? ["en"],
    configuration: {
      urls: {
        streaming: streamingUrl(config),
        status: null,
        about: `${config.publicUrl}/`,
        privacy_policy: page("privacy_policy", s.privacyPolicy),
        terms_of_service: page("terms_of_service", s.termsOfService),
      },
      // Mastodon leaves the key empty while Web Push is not configured.
      vapid: { public_key: s.vapidPublicKey ?? "" },
      // Profile limits are Mastodon's defaults.
      accounts: {
        max_display_name_length: 30,
        max_note_length: 500,
        max_featured_tags: 10,
        max_pinned_statuses: PIN_LIMIT,
        max_profile_fields: 4,
        profile_field_name_limit: 255,
        profile_field_value_limit: 255,
      },
      statuses: statusLimits(config),
      media_attachments: { ...(await mediaLimits()), description_limit: DESCRIPTION_MAX_CHARS },
      polls: pollLimits,
      translation: { enabled: false },
      timelines_access: {
        live_feeds: { local: "public", remote: "public" },
        hashtag_feeds: { local: "public", remote: "public" },
        trending_link_feeds: { local: "disabled", remote: "disabled" },
      },
      limited_federation: false,
    },
    registrations: {
      enabled: registrations.enabled,
      approval_required: registrations.approvalRequired,
      reason_required: false,
      message: registrations.message,
      min_age: null,
      url: null,
    },
    api_versions: { mastodon: MASTODON_API_LEVEL },
    contact: await contactOf(db, config, s),
    rules: await serializeRules(db),
  };
}
