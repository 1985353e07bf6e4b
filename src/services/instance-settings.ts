/**
 * What the admin settings page writes: rows of `instance_settings` (read back by
 * readInstanceSettings in instance.ts, so /api/v1/instance and /api/v2/instance show a change at
 * once), the rules, the registration mode and the thumbnail picture.
 */
import { eq, sql } from "drizzle-orm";
import type { Config } from "../config/index.ts";
import type { Db, Tx } from "../db/client.ts";
import { instanceRules, instanceSettings } from "../db/schema/index.ts";
import { AppError } from "../lib/errors.ts";
import { isId, newId } from "../lib/ids.ts";
import { mediaStorage } from "../lib/storage/index.ts";
import { findLocalAccount } from "./accounts/accounts.ts";
import { processProfileImage } from "./media/image.ts";
import { storageKey } from "./media/media.ts";

export async function writeInstanceSetting(db: Tx, key: string, value: unknown): Promise<void> {
  await db
    .insert(instanceSettings)
    .values({ key, value })
    .onConflictDoUpdate({ target: instanceSettings.key, set: { value, updatedAt: new Date() } });
}

export async function deleteInstanceSetting(db: Tx, key: string): Promise<void> {
  await db.delete(instanceSettings).where(eq(instanceSettings.key, key));
}

/** Text settings of the page; an empty value removes the setting (the default shows again). */
export interface InstanceTextSettings {
  title: string;
  description: string;
  extendedDescription: string;
  contactEmail: string;
  contactAccount: string;
}

const LIMITS: Record<keyof InstanceTextSettings, [key: string, max: number]> = {
  title: ["title", 200],
  description: ["description", 2_000],
  extendedDescription: ["extended_description", 20_000],
  contactEmail: ["contact_email", 320],
  contactAccount: ["contact_account", 100],
};

export async function saveInstanceTexts(db: Db, input: InstanceTextSettings): Promise<void> {
  const values = { ...input, contactAccount: input.contactAccount.trim().replace(/^@/, "") };
  for (const [field, [, max]] of Object.entries(LIMITS)) {
    if (values[field as keyof InstanceTextSettings].length > max)
      throw new AppError(422, `${field} is longer than ${max} characters`);
  }
  if (values.contactEmail && !/^[^\s@]+@[^\s@]+$/.test(values.contactEmail.trim()))
    throw new AppError(422, "The contact e-mail is not an e-mail address");
  if (values.contactAccount && !(await findLocalAccount(db, values.contactAccount)))
    throw new AppError(422, `No local account named @${values.contactAccount}`);
  await db.transaction(async (tx) => {
    for (const [field, [key]] of Object.entries(LIMITS)) {
      const value = values[field as keyof InstanceTextSettings].trim();
      if (value) await writeInstanceSetting(tx, key, value);
      else await deleteInstanceSetting(tx, key);
    }
  });
}

export const registrationModes = ["open", "approval", "closed"] as const;
export type RegistrationMode = (typeof registrationModes)[number];

/** The `registrations` setting as sign-up reads it: `{enabled, approval_required, message}`. */
export async function writeRegistrationMode(
  db: Tx,
  mode: RegistrationMode,
  message: string | null = null,
): Promise<void> {
  if (message && message.length > 2_000)
    throw new AppError(422, "The registration message is longer than 2000 characters");
  await writeInstanceSetting(db, "registrations", {
    enabled: mode !== "closed",
    approval_required: mode === "approval",
    message: message?.trim() || null,
  });
}

export function registrationModeOf(
  r: { enabled: boolean; approvalRequired: boolean } | undefined,
): RegistrationMode {
  if (!r?.enabled) return "closed";
  return r.approvalRequired ? "approval" : "open";
}

const RULE_MAX = 1_000;
const MAX_RULES = 100;

function checkRule(text: string, hint: string): void {
  if (!text.trim()) throw new AppError(422, "A rule needs a text");
  if (text.length > RULE_MAX || hint.length > RULE_MAX)
    throw new AppError(422, `A rule and its hint have at most ${RULE_MAX} characters each`);
}

/** Adds a rule at the end of the list. */
export async function addRule(db: Db, text: string, hint = ""): Promise<void> {
  checkRule(text, hint);
  await db.transaction(async (tx) => {
    const [{ n, last }] = await tx
      .select({
        n: sql<number>`count(*)::int`,
        last: sql<number>`coalesce(max(${instanceRules.position}), -1)::int`,
      })
      .from(instanceRules);
    if (n >= MAX_RULES) throw new AppError(422, `At most ${MAX_RULES} rules`);
    await tx
      .insert(instanceRules)
      .values({ id: newId(), text: text.trim(), hint: hint.trim(), position: last + 1 });
  });
}

export async function updateRule(db: Db, id: string, text: string, hint = ""): Promise<void> {
  checkRule(text, hint);
  if (!isId(id)) throw new AppError(404, "No such rule");
  const rows = await db
    .update(instanceRules)
    .set({ text: text.trim(), hint: hint.trim() })
    .where(eq(instanceRules.id, id))
    .returning({ id: instanceRules.id });
  if (!rows.length) throw new AppError(404, "No such rule");
}

export async function removeRule(db: Db, id: string): Promise<void> {
  if (!isId(id)) return;
  await db.delete(instanceRules).where(eq(instanceRules.id, id));
}

/** Mastodon's thumbnail box (it crops uploads to 1200×630, the size link previews use). */
const THUMBNAIL_BOX = { width: 1200, height: 630 };
export const THUMBNAIL_MAX_BYTES = 8 * 1024 * 1024;

/**
 * Stores a new server thumbnail (cropped, without metadata) in media storage and points the
 * `thumbnail` setting at it; the previous file is deleted.
 */
export async function setThumbnail(db: Db, config: Config, bytes: Uint8Array): Promise<string> {
  const image = await processProfileImage(bytes, THUMBNAIL_BOX);
  const storage = mediaStorage(config);
  const key = storageKey("thumbnail", image.extension);
  await storage.put(key, image.bytes, image.contentType);
  const old = await previousThumbnailKey(db);
  const url = storage.url(key);
  await writeInstanceSetting(db, "thumbnail", { key, url });
  if (old) await storage.delete([old]);
  return url;
}

export async function removeThumbnail(db: Db, config: Config): Promise<void> {
  const old = await previousThumbnailKey(db);
  await deleteInstanceSetting(db, "thumbnail");
  if (old) await mediaStorage(config).delete([old]);
}

async function previousThumbnailKey(db: Tx): Promise<string | undefined> {
  const [row] = await db
    .select({ value: instanceSettings.value })
    .from(instanceSettings)
    .where(eq(instanceSettings.key, "thumbnail"));
  const key = (row?.value as { key?: unknown } | undefined)?.key;
  return typeof key === "string" ? key : undefined;
}
