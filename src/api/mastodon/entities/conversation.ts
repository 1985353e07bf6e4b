import type { Tx } from "../../../db/client.ts";
import type { ConversationView } from "../../../services/conversations/conversations.ts";
import { type MastodonAccount, serializeAccounts } from "./account.ts";
import { type MastodonStatus, serializeStatuses } from "./status.ts";

/** Mastodon's Conversation entity (https://docs.joinmastodon.org/entities/Conversation/). */
export interface MastodonConversation {
  id: string;
  unread: boolean;
  accounts: MastodonAccount[];
  last_status: MastodonStatus | null;
}

/** A page of conversations: the statuses and the participants each rendered in one batch. */
export async function serializeConversations(
  db: Tx,
  views: ConversationView[],
  publicUrl: string,
  viewerId: string,
): Promise<MastodonConversation[]> {
  const people = [...new Map(views.flatMap((v) => v.participants).map((a) => [a.id, a])).values()];
  const [statuses, accounts] = await Promise.all([
    serializeStatuses(
      db,
      views.map((v) => v.lastStatus),
      publicUrl,
      viewerId,
    ),
    serializeAccounts(db, people, publicUrl),
  ]);
  const accountOf = new Map(accounts.map((a) => [a.id, a]));
  return views.map((v, i) => ({
    id: v.conversation.id,
    unread: v.conversation.unread,
    accounts: v.participants.flatMap((p) => accountOf.get(p.id) ?? []),
    last_status: statuses[i] ?? null,
  }));
}
