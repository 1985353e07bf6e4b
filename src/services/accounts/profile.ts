import { eq } from "drizzle-orm";
import type { Config } from "../../config/index.ts";
import type { Db, Tx } from "../../db/client.ts";
import { accounts, localUsers, type ProfileField } from "../../db/schema/index.ts";
import type { Visibility } from "../../db/schema/statuses.ts";
import { AppError } from "../../lib/errors.ts";
import { mediaStorage } from "../../lib/storage/index.ts";
import { enqueueJob } from "../jobs.ts";
import { AVATAR_BOX, HEADER_BOX, processProfileImage } from "../media/image.ts";
import { IMAGE_MAX_BYTES, storageKey } from "../media/media.ts";
import { sniff } from "../media/sniff.ts";
import { renderStatusText } from "../statuses/mentions.ts";
import type { Account, LocalUser } from "./accounts.ts";
import { fieldLink } from "./verify-links.ts";

/** Mastodon's limits for profiles. */
export const MAX_DISPLAY_NAME_CHARS = 30;
export const MAX_NOTE_CHARS = 500;
export const MAX_FIELDS = 4;
export const MAX_FIELD_CHARS = 255;

export interface ProfileInput {
  displayName?: string;
  note?: string;
  locked?: boolean;
  bot?: boolean;
  discoverable?: boolean;
  indexable?: boolean;
  hideCollections?: boolean;
  fields?: { name: string; value: string }[];
  avatar?: Uint8Array;
  header?: Uint8Array;
  privacy?: Visibility;
  sensitive?: boolean;
  language?: string | null;
}

const chars = (s: string) => [...s].length;

function check(input: ProfileInput) {
  const tooLong = (what: string, max: number) =>
    new AppError(422, `Validation failed: ${what} is too long (maximum is ${max} characters)`);
  if (input.displayName !== undefined && chars(input.displayName) > MAX_DISPLAY_NAME_CHARS)
    throw tooLong("Display name", MAX_DISPLAY_NAME_CHARS);
  if (input.note !== undefined && chars(input.note) > MAX_NOTE_CHARS)
    throw tooLong("Note", MAX_NOTE_CHARS);
  if (input.fields && input.fields.length > MAX_FIELDS)
    throw new AppError(422, `Validation failed: at most ${MAX_FIELDS} profile fields`);
  for (const f of input.fields ?? [])
    if (chars(f.name) > MAX_FIELD_CHARS || chars(f.value) > MAX_FIELD_CHARS)
      throw tooLong("A profile field", MAX_FIELD_CHARS);
}

/** A field value as Mastodon renders it: links, mentions and hashtags, without a paragraph. */
async function renderField(db: Db, config: Config, value: string): Promise<string> {
  const { html } = await renderStatusText(db, config, value.replace(/\s+/g, " "));
  return html.replace(/^<p>/, "").replace(/<\/p>$/, "");
}

/** Processes a picture for the profile and stores it; returns its key and URL. */
async function storeProfileImage(config: Config, bytes: Uint8Array, kind: "avatar" | "header") {
  if (sniff(bytes)?.kind !== "image")
    throw new AppError(422, `Validation failed: the ${kind} is not an image`);
  if (bytes.byteLength > IMAGE_MAX_BYTES)
    throw new AppError(422, `Validation failed: the ${kind} may be at most 16 MiB`);
  const image = await processProfileImage(bytes, kind === "avatar" ? AVATAR_BOX : HEADER_BOX);
  const storage = mediaStorage(config);
  const key = storageKey(kind, image.extension);
  await storage.put(key, image.bytes, image.contentType);
  return { key, url: storage.url(key) };
}

/**
 * PATCH /api/v1/accounts/update_credentials. Pictures are processed and stored first; the rows
 * change in one transaction that also queues the Update(Person) to followers and the removal of
 * replaced pictures. Bad input is a 422 and changes nothing (a stored picture is removed again).
 */
export async function updateProfile(
  db: Db,
  config: Config,
  account: Account,
  input: ProfileInput,
): Promise<void> {
  check(input);
  const note =
    input.note !== undefined ? (await renderStatusText(db, config, input.note)).html : undefined;
  const fields: ProfileField[] | undefined = input.fields
    ? await Promise.all(
        input.fields
          .filter((f) => f.name.trim() !== "" || f.value.trim() !== "")
          .map(async (f) => ({
            // Plain text, as Mastodon keeps it (clients show it as text).
            name: f.name.trim(),
            value: await renderField(db, config, f.value.trim()),
            verifiedAt: null,
          })),
      )
    : undefined;
  const avatar = input.avatar ? await storeProfileImage(config, input.avatar, "avatar") : null;
  const header = input.header
    ? await storeProfileImage(config, input.header, "header").catch(async (error) => {
        if (avatar) await mediaStorage(config).delete([avatar.key]);
        throw error;
      })
    : null;
  try {
    await db.transaction(async (tx) => {
      const user = await lockLocalUser(tx, account.id);
      if (!user) throw new AppError(422, "Validation failed: not a local account");
      await tx
        .update(accounts)
        .set({
          displayName: input.displayName,
          note,
          locked: input.locked,
          bot: input.bot,
          actorType: input.bot === undefined ? undefined : input.bot ? "Service" : "Person",
          discoverable: input.discoverable,
          indexable: input.indexable,
          hideCollections: input.hideCollections,
          fields,
          avatarUrl: avatar?.url,
          headerUrl: header?.url,
          updatedAt: new Date(),
        })
        .where(eq(accounts.id, account.id));
      const userFields = {
        noteSource: input.note,
        fieldsSource: input.fields?.filter((f) => f.name.trim() || f.value.trim()),
        avatarKey: avatar?.key,
        headerKey: header?.key,
        defaultPrivacy: input.privacy,
        defaultSensitive: input.sensitive,
        defaultLanguage: input.language,
      };
      // Changing only the name (or flags) leaves nothing to set here: drizzle refuses an empty SET.
      if (Object.values(userFields).some((v) => v !== undefined))
        await tx.update(localUsers).set(userFields).where(eq(localUsers.accountId, account.id));
      const replaced = [avatar && user.avatarKey, header && user.headerKey].filter(
        (k): k is string => !!k,
      );
      if (replaced.length) await enqueueJob(tx, { type: "media.delete_files", keys: replaced });
      await enqueueJob(tx, { type: "account.updated", accountId: account.id });
      // Linked fields are checked for a rel="me" link back by a job (they start unverified).
      if (fields?.some((f) => fieldLink(f.value)))
        await enqueueJob(tx, { type: "account.verify_links", accountId: account.id });
    });
  } catch (error) {
    const stored = [avatar?.key, header?.key].filter((k): k is string => !!k);
    await mediaStorage(config)
      .delete(stored)
      .catch(() => {});
    throw error;
  }
}

/** DELETE /api/v1/profile/avatar or /header: back to the default picture. */
export async function removeProfileImage(
  db: Db,
  account: Account,
  kind: "avatar" | "header",
): Promise<void> {
  await db.transaction(async (tx) => {
    const user = await lockLocalUser(tx, account.id);
    if (!user) return;
    const key = kind === "avatar" ? user.avatarKey : user.headerKey;
    await tx
      .update(accounts)
      .set(kind === "avatar" ? { avatarUrl: null } : { headerUrl: null })
      .where(eq(accounts.id, account.id));
    await tx
      .update(localUsers)
      .set(kind === "avatar" ? { avatarKey: null } : { headerKey: null })
      .where(eq(localUsers.accountId, account.id));
    if (key) await enqueueJob(tx, { type: "media.delete_files", keys: [key] });
    await enqueueJob(tx, { type: "account.updated", accountId: account.id });
  });
}

/** The local user row, locked until the transaction ends (two profile edits take turns). */
async function lockLocalUser(tx: Tx, accountId: string): Promise<LocalUser | undefined> {
  const [user] = await tx
    .select()
    .from(localUsers)
    .where(eq(localUsers.accountId, accountId))
    .for("update");
  return user;
}

/** The local side of an account (profile sources, posting defaults). */
export async function localUserOf(db: Tx, accountId: string): Promise<LocalUser | undefined> {
  const [user] = await db.select().from(localUsers).where(eq(localUsers.accountId, accountId));
  return user;
}

/** The studio's setting: what a post is written in when it does not say (plain or Markdown). */
export async function setDefaultContentType(
  db: Tx,
  accountId: string,
  contentType: "text/plain" | "text/markdown",
): Promise<void> {
  await db
    .update(localUsers)
    .set({ defaultContentType: contentType })
    .where(eq(localUsers.accountId, accountId));
}
