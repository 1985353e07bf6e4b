import { and, eq, inArray, isNotNull, isNull, sql } from "drizzle-orm";
import { queryRows, type Tx } from "../../db/client.ts";
import { accounts, conversations, mentions, statuses } from "../../db/schema/index.ts";
import { notFound } from "../../lib/errors.ts";
import { compareIds, newId } from "../../lib/ids.ts";
import type { Account } from "../accounts/accounts.ts";
import { keyset, type Page, pageLimit } from "../paging.ts";
import { visibleAuthor } from "../safety/hidden.ts";
import type { Status } from "../statuses/types.ts";

export type Conversation = typeof conversations.$inferSelect;

/**
 * A direct status (local or remote), in the transaction that stores it: every local participant
 * (its author and everyone it mentions) gets their conversation with the others upserted, its
 * last status moved to this one if newer, unread for the recipients and read for the author.
 */
export async function recordConversation(
  tx: Tx,
  status: Pick<Status, "id" | "accountId" | "visibility">,
  mentionedIds: string[],
): Promise<void> {
  if (status.visibility !== "direct") return;
  const participants = [...new Set([status.accountId, ...mentionedIds])].sort(compareIds);
  const locals = await tx
    .select({ id: accounts.id })
    .from(accounts)
    .where(and(inArray(accounts.id, participants), isNull(accounts.domain)));
  if (locals.length === 0) return;
  await tx
    .insert(conversations)
    .values(
      locals.map((l) => ({
        id: newId(),
        accountId: l.id,
        participantKey: participants.filter((p) => p !== l.id).join(","),
        lastStatusId: status.id,
        unread: l.id !== status.accountId,
      })),
    )
    .onConflictDoUpdate({
      target: [conversations.accountId, conversations.participantKey],
      // A late delivery of an older message does not move the conversation back.
      set: {
        lastStatusId: sql`greatest(${conversations.lastStatusId}, excluded.last_status_id)`,
        unread: sql`case when ${conversations.lastStatusId} is null or excluded.last_status_id > ${conversations.lastStatusId} then excluded.unread else ${conversations.unread} end`,
        updatedAt: sql`now()`,
      },
    });
}

/**
 * A direct status about to be deleted, in the delete's transaction: each conversation it was the
 * last of goes back to the newest earlier direct status among the same people, or is removed
 * when none is left (as on Mastodon). Only the participants' rows are looked at (their index).
 */
export async function rewindConversations(tx: Tx, statusId: string): Promise<void> {
  const [status] = await tx
    .select({ accountId: statuses.accountId, visibility: statuses.visibility })
    .from(statuses)
    .where(eq(statuses.id, statusId));
  if (status?.visibility !== "direct") return;
  const mentioned = await tx
    .select({ id: mentions.accountId })
    .from(mentions)
    .where(eq(mentions.statusId, statusId));
  const participants = [...new Set([status.accountId, ...mentioned.map((m) => m.id)])];
  const affected = await tx
    .select()
    .from(conversations)
    .where(
      and(inArray(conversations.accountId, participants), eq(conversations.lastStatusId, statusId)),
    );
  for (const c of affected) {
    // The account's direct statuses (written or received), newest first, whose other people
    // are exactly this conversation's.
    const [previous] = await queryRows<{ id: string | number }>(
      tx,
      sql`select s.id from statuses s
          where s.visibility = 'direct' and s.id < ${statusId}::bigint
            and (s.account_id = ${c.accountId}::bigint or exists (
              select 1 from mentions m where m.status_id = s.id and m.account_id = ${c.accountId}::bigint))
            and coalesce((select string_agg(p.id::text, ',' order by p.id) from (
                  select s.account_id as id union select m.account_id from mentions m where m.status_id = s.id
                ) p where p.id <> ${c.accountId}::bigint), '') = ${c.participantKey}
          order by s.id desc limit 1`,
    );
    if (previous)
      await tx
        .update(conversations)
        .set({ lastStatusId: String(previous.id) })
        .where(eq(conversations.id, c.id));
    else await tx.delete(conversations).where(eq(conversations.id, c.id));
  }
}

export interface ConversationView {
  conversation: Conversation;
  participants: Account[];
  lastStatus: Status;
}

/**
 * The account's conversations, newest last status first, paged by that status's id (one range
 * scan of (account_id, last_status_id desc)); those whose last status is by someone the viewer
 * blocked or muted are left out, and so are those whose last status was deleted.
 */
export async function listConversations(
  db: Tx,
  accountId: string,
  page: Page,
): Promise<ConversationView[]> {
  const b = keyset(conversations.lastStatusId, page);
  const rows = await db
    .select({ conversation: conversations, status: statuses })
    .from(conversations)
    .innerJoin(statuses, eq(statuses.id, conversations.lastStatusId))
    .where(
      and(
        eq(conversations.accountId, accountId),
        isNotNull(conversations.lastStatusId),
        visibleAuthor(accountId, statuses.accountId),
        ...b.where,
      ),
    )
    .orderBy(b.order)
    .limit(pageLimit(page.limit));
  return withParticipants(db, b.newestFirst(rows));
}

/** One of the account's conversations (for read and delete), or 404. */
export async function ownConversation(db: Tx, account: Account, id: string): Promise<Conversation> {
  const [row] = await db
    .select()
    .from(conversations)
    .where(and(eq(conversations.id, id), eq(conversations.accountId, account.id)));
  if (!row) throw notFound();
  return row;
}

export async function markConversationRead(
  db: Tx,
  account: Account,
  id: string,
): Promise<ConversationView | null> {
  const row = await ownConversation(db, account, id);
  await db.update(conversations).set({ unread: false }).where(eq(conversations.id, row.id));
  if (!row.lastStatusId) return null;
  const [status] = await db.select().from(statuses).where(eq(statuses.id, row.lastStatusId));
  if (!status) return null;
  const [view] = await withParticipants(db, [{ conversation: { ...row, unread: false }, status }]);
  return view;
}

/** Removes it from the account's list; the next direct status among them brings it back. */
export async function removeConversation(db: Tx, account: Account, id: string): Promise<void> {
  const row = await ownConversation(db, account, id);
  await db.delete(conversations).where(eq(conversations.id, row.id));
}

/** The participants of a page of conversations: one query for all of them. */
async function withParticipants(
  db: Tx,
  rows: { conversation: Conversation; status: Status }[],
): Promise<ConversationView[]> {
  const keyIds = (c: Conversation) => c.participantKey.split(",").filter((p) => p !== "");
  const ids = [...new Set(rows.flatMap((r) => keyIds(r.conversation)))];
  const people = ids.length
    ? await db.select().from(accounts).where(inArray(accounts.id, ids))
    : [];
  const byId = new Map(people.map((a) => [a.id, a]));
  return rows.map((r) => ({
    conversation: r.conversation,
    participants: keyIds(r.conversation).flatMap((id) => byId.get(id) ?? []),
    lastStatus: r.status,
  }));
}
