import type { Tx } from "../../../db/client.ts";
import type { StatusEdit } from "../../../services/statuses/history.ts";
import type { StatusBundle } from "../../../services/statuses/types.ts";
import { type MastodonAccount, serializeOneAccount } from "./account.ts";

/** Mastodon's StatusEdit entity (https://docs.joinmastodon.org/entities/StatusEdit/). */
export interface MastodonStatusEdit {
  content: string;
  spoiler_text: string;
  sensitive: boolean;
  created_at: string;
  account: MastodonAccount;
  media_attachments: never[];
  emojis: never[];
}

/** Every version of one status: its author is rendered once (one account, whatever the count). */
export async function serializeStatusEdits(
  db: Tx,
  bundle: StatusBundle,
  versions: StatusEdit[],
  publicUrl: string,
): Promise<MastodonStatusEdit[]> {
  const account = await serializeOneAccount(db, bundle.account, publicUrl);
  return versions.map((v) => ({
    content: v.content,
    spoiler_text: v.spoilerText,
    sensitive: v.sensitive,
    created_at: v.createdAt.toISOString(),
    account,
    media_attachments: [],
    emojis: [],
  }));
}
