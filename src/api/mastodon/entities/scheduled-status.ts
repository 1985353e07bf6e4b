import { toStatusParams } from "../../../services/scheduled/publish.ts";
import type { ScheduledStatus } from "../../../services/scheduled/scheduled.ts";
import { type MastodonMediaAttachment, serializeMedia } from "./media.ts";

/** Mastodon's ScheduledStatus entity (https://docs.joinmastodon.org/entities/ScheduledStatus/). */
export interface MastodonScheduledStatus {
  id: string;
  scheduled_at: string;
  params: {
    text: string;
    poll: { options: string[]; expires_in: number; multiple: boolean; hide_totals: boolean } | null;
    media_ids: string[] | null;
    sensitive: boolean | null;
    spoiler_text: string | null;
    visibility: string;
    in_reply_to_id: string | null;
    language: string | null;
    application_id: string | null;
    scheduled_at: null;
    idempotency: null;
    with_rate_limit: boolean;
    /** Tern's own parameters (quoted_status_id, ...) follow in the names the API takes them. */
    [extra: string]: unknown;
  };
  media_attachments: MastodonMediaAttachment[];
}

export function serializeScheduledStatus(s: ScheduledStatus): MastodonScheduledStatus {
  const {
    status,
    poll,
    media_ids,
    sensitive,
    spoiler_text,
    visibility,
    in_reply_to_id,
    language,
    ...extra
  } = toStatusParams(s.params);
  return {
    id: s.id,
    scheduled_at: s.scheduledAt.toISOString(),
    params: {
      ...extra,
      text: String(status ?? ""),
      poll: (poll as MastodonScheduledStatus["params"]["poll"]) ?? null,
      media_ids: Array.isArray(media_ids) && media_ids.length ? (media_ids as string[]) : null,
      sensitive: (sensitive as boolean | undefined) ?? null,
      spoiler_text: (spoiler_text as string | undefined) ?? null,
      visibility: String(visibility ?? "public"),
      in_reply_to_id: (in_reply_to_id as string | undefined) ?? null,
      language: (language as string | undefined) ?? null,
      application_id: s.params.applicationId ?? null,
      scheduled_at: null,
      // Mastodon does not show the key either.
      idempotency: null,
      with_rate_limit: false,
    },
    media_attachments: s.media.map(serializeMedia),
  };
}
