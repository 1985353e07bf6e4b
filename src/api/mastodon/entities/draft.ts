import type { Draft } from "../../../services/drafts/drafts.ts";
import { type MastodonMediaAttachment, serializeMedia } from "./media.ts";

/** Tern's Draft entity (`/api/v1/tern/drafts`, see the README). */
export interface TernDraft {
  id: string;
  /** What `POST /api/v1/statuses` would be sent, as saved. */
  params: Record<string, unknown>;
  /** The uploads `params.media_ids` names that still exist, in that order. */
  media_attachments: MastodonMediaAttachment[];
  created_at: string;
  updated_at: string;
}

export function serializeDraft(d: Draft): TernDraft {
  return {
    id: d.id,
    params: d.params,
    media_attachments: d.media.map(serializeMedia),
    created_at: d.createdAt.toISOString(),
    updated_at: d.updatedAt.toISOString(),
  };
}
