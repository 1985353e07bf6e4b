import { and, desc, eq, gt, inArray, isNull, or, sql } from "drizzle-orm";
import type { Db, Tx } from "../../db/client.ts";
import {
  announcementDismissals,
  announcementReactions,
  announcements,
  customEmojis,
} from "../../db/schema/index.ts";
import { AppError, notFound } from "../../lib/errors.ts";
import { newId } from "../../lib/ids.ts";
import { formatStatusText } from "../../lib/text-to-html.ts";
import { type CustomEmoji, emojisFor } from "../emojis/emojis.ts";

export type Announcement = typeof announcements.$inferSelect;

export interface AnnouncementReaction {
  name: string;
  count: number;
  me: boolean;
  /** For a custom emoji: the local emoji it names. */
  emoji: CustomEmoji | null;
}

export interface AnnouncementView {
  announcement: Announcement;
  read: boolean;
  /** Local custom emoji its text uses. */
  emojis: CustomEmoji[];
  reactions: AnnouncementReaction[];
}

const MAX_TEXT = 5_000;

/** Made by an admin (the CLI): plain text becomes HTML as a post's would (links, line breaks). */
export async function createAnnouncement(
  db: Db,
  opts: { publicUrl: string; host: string },
  input: { text: string; startsAt?: Date | null; endsAt?: Date | null; allDay?: boolean },
): Promise<Announcement> {
  const text = input.text.trim();
  if (!text) throw new AppError(422, "Validation failed: the announcement text is empty");
  if (text.length > MAX_TEXT)
    throw new AppError(422, `Validation failed: at most ${MAX_TEXT} characters`);
  if (input.startsAt && input.endsAt && input.endsAt <= input.startsAt)
    throw new AppError(422, "Validation failed: it must end after it starts");
  const { html } = formatStatusText(text, {
    publicUrl: opts.publicUrl,
    localHost: opts.host,
    resolveMention: () => undefined,
  });
  const now = new Date();
  const [row] = await db
    .insert(announcements)
    .values({
      id: newId(),
      content: html,
      startsAt: input.startsAt ?? null,
      endsAt: input.endsAt ?? null,
      allDay: input.allDay ?? false,
      publishedAt: now,
    })
    .returning();
  return row;
}

export async function removeAnnouncement(db: Db, id: string): Promise<void> {
  const rows = await db.delete(announcements).where(eq(announcements.id, id)).returning();
  if (rows.length === 0) throw notFound("No such announcement");
}

/** Published and not ended (Mastodon shows those whose time has not passed). */
const current = () =>
  and(
    sql`${announcements.publishedAt} is not null`,
    or(isNull(announcements.endsAt), gt(announcements.endsAt, sql`now()`)),
  );

/**
 * The announcements a user sees, newest first, with whether they dismissed each and the
 * reactions (counts, theirs, local emoji) and the emoji of their text: four queries in all.
 */
export async function listAnnouncements(
  db: Tx,
  accountId: string,
  withDismissed: boolean,
): Promise<AnnouncementView[]> {
  const rows = await db
    .select()
    .from(announcements)
    .where(current())
    .orderBy(desc(announcements.publishedAt))
    .limit(50);
  if (rows.length === 0) return [];
  const ids = rows.map((r) => r.id);
  const [dismissed, reactions] = await Promise.all([
    db
      .select({ id: announcementDismissals.announcementId })
      .from(announcementDismissals)
      .where(
        and(
          eq(announcementDismissals.accountId, accountId),
          inArray(announcementDismissals.announcementId, ids),
        ),
      ),
    db
      .select({
        announcementId: announcementReactions.announcementId,
        name: announcementReactions.name,
        count: sql<number>`count(*)::int`,
        me: sql<boolean>`bool_or(${announcementReactions.accountId} = ${accountId})`,
        emoji: customEmojis,
      })
      .from(announcementReactions)
      .leftJoin(
        customEmojis,
        and(eq(customEmojis.shortcode, announcementReactions.name), isNull(customEmojis.domain)),
      )
      .where(inArray(announcementReactions.announcementId, ids))
      .groupBy(announcementReactions.announcementId, announcementReactions.name, customEmojis.id)
      .orderBy(sql`min(${announcementReactions.createdAt})`),
  ]);
  const read = new Set(dismissed.map((d) => d.id));
  const shown = rows.filter((r) => withDismissed || !read.has(r.id));
  const emojis = await emojisFor(
    db,
    shown.map((r) => ({ domain: null, texts: [r.content] })),
  );
  return shown.map((announcement, i) => ({
    announcement,
    read: read.has(announcement.id),
    emojis: emojis[i],
    reactions: reactions
      .filter((x) => x.announcementId === announcement.id)
      .map((x) => ({ name: x.name, count: x.count, me: x.me, emoji: x.emoji })),
  }));
}

async function requireCurrent(db: Tx, id: string): Promise<void> {
  const [row] = await db
    .select({ id: announcements.id })
    .from(announcements)
    .where(and(eq(announcements.id, id), current()));
  if (!row) throw notFound();
}

export async function dismissAnnouncement(db: Db, accountId: string, id: string): Promise<void> {
  await requireCurrent(db, id);
  await db
    .insert(announcementDismissals)
    .values({ announcementId: id, accountId })
    .onConflictDoNothing();
}

/** One emoji: a single character sequence (a unicode emoji) or a local custom emoji's shortcode. */
async function checkReactionName(db: Tx, name: string): Promise<void> {
  // Pictographs, joined by ZWJ or modified (skin tones, variation selectors, keycaps).
  const isUnicode =
    /^\p{Extended_Pictographic}(?:\p{Extended_Pictographic}|\p{Emoji_Component}|\u200d|\ufe0f)*$/u.test(
      name,
    );
  if (isUnicode && name.length <= 32) return;
  const [local] = await db
    .select({ id: customEmojis.id })
    .from(customEmojis)
    .where(
      and(
        eq(customEmojis.shortcode, name),
        isNull(customEmojis.domain),
        eq(customEmojis.disabled, false),
      ),
    );
  if (!local)
    throw new AppError(422, "Validation failed: the name is not an emoji or a custom emoji here");
}

/** Reactions are idempotent: reacting twice with one emoji keeps one reaction (Mastodon too). */
export async function addAnnouncementReaction(
  db: Db,
  accountId: string,
  id: string,
  name: string,
): Promise<void> {
  await requireCurrent(db, id);
  await checkReactionName(db, name);
  await db
    .insert(announcementReactions)
    .values({ announcementId: id, accountId, name })
    .onConflictDoNothing();
}

export async function removeAnnouncementReaction(
  db: Db,
  accountId: string,
  id: string,
  name: string,
): Promise<void> {
  await requireCurrent(db, id);
  await db
    .delete(announcementReactions)
    .where(
      and(
        eq(announcementReactions.announcementId, id),
        eq(announcementReactions.accountId, accountId),
        eq(announcementReactions.name, name),
      ),
    );
}
