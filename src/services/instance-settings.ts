/**
 * What the admin settings page writes: rows of `instance_settings` (read back by
 * readInstanceSettings in instance.ts, so /api/v1/instance and /api/v2/instance show a change at
 * once), the rules and the thumbnail picture (the registration mode: accounts/registrations.ts).
 * Each change writes its admin audit row in its own transaction.
 */
import { eq, sql } from "drizzle-orm";
import type { Config } from "../config/index.ts";
import type { Db, Tx } from "../db/client.ts";
import { instanceRules, instanceSettings } from "../db/schema/index.ts";
import { AppError } from "../lib/errors.ts";
import { isId, newId } from "../lib/ids.ts";
import { mediaStorage } from "../lib/storage/index.ts";
import { findLocalAccount } from "./accounts/accounts.ts";
import type { RegistrationMode } from "./accounts/registrations.ts";
import { type AdminActor, audit } from "./admin/audit.ts";
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

const logSettings = (tx: Tx, actorId: AdminActor, action: string, label: string, detail = {}) =>
  audit(tx, { actorId, action, targetType: "instance_settings", targetLabel: label, detail });

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

export async function saveInstanceTexts(
  db: Db,
  input: InstanceTextSettings,
  actorId: AdminActor,
): Promise<void> {
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
    await logSettings(tx, actorId, "instance.texts", "texts");
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
export async function addRule(db: Db, actorId: AdminActor, text: string, hint = ""): Promise<void> {
  checkRule(text, hint);
  await db.transaction(async (tx) => {
    const [{ n, last }] = await tx
      .select({
        n: sql<number>`count(*)::int`,
        last: sql<number>`coalesce(max(${instanceRules.position}), -1)::int`,
      })
      .from(instanceRules);
    if (n >= MAX_RULES) throw new AppError(422, `At most ${MAX_RULES} rules`);
    const id = newId();
    await tx
      .insert(instanceRules)
      .values({ id, text: text.trim(), hint: hint.trim(), position: last + 1 });
    await logSettings(tx, actorId, "instance.rule_add", "rules", { id, text: text.trim() });
  });
}

export async function updateRule(
  db: Db,
  actorId: AdminActor,
  id: string,
  text: string,
  hint = "",
): Promise<void> {
  checkRule(text, hint);
  if (!isId(id)) throw new AppError(404, "No such rule");
  await db.transaction(async (tx) => {
    const rows = await tx
      .update(instanceRules)
      .set({ text: text.trim(), hint: hint.trim() })
      .where(eq(instanceRules.id, id))
      .returning({ id: instanceRules.id });
    if (!rows.length) throw new AppError(404, "No such rule");
    await logSettings(tx, actorId, "instance.rule_update", "rules", { id, text: text.trim() });
  });
}

export async function removeRule(db: Db, actorId: AdminActor, id: string): Promise<void> {
  if (!isId(id)) return;
  await db.transaction(async (tx) => {
    const rows = await tx.delete(instanceRules).where(eq(instanceRules.id, id)).returning();
    for (const row of rows)
      await logSettings(tx, actorId, "instance.rule_remove", "rules", { id, text: row.text });
  });
}

/** Mastodon's thumbnail box (it crops uploads to 1200×630, the size link previews use). */
const THUMBNAIL_BOX = { width: 1200, height: 630 };
export const THUMBNAIL_MAX_BYTES = 8 * 1024 * 1024;

/**
 * Stores a new server thumbnail (cropped, without metadata) in media storage and points the
 * `thumbnail` setting at it; the previous file is deleted.
 */
export async function setThumbnail(
  db: Db,
  config: Config,
  actorId: AdminActor,
  bytes: Uint8Array,
): Promise<string> {
  const image = await processProfileImage(bytes, THUMBNAIL_BOX);
  const storage = mediaStorage(config);
  const key = storageKey("thumbnail", image.extension);
  await storage.put(key, image.bytes, image.contentType);
  const old = await previousThumbnailKey(db);
  const url = storage.url(key);
  await db.transaction(async (tx) => {
    await writeInstanceSetting(tx, "thumbnail", { key, url });
    await logSettings(tx, actorId, "instance.thumbnail", "thumbnail", { url });
  });
  if (old) await storage.delete([old]);
  return url;
}

export async function removeThumbnail(db: Db, config: Config, actorId: AdminActor): Promise<void> {
  const old = await previousThumbnailKey(db);
  await db.transaction(async (tx) => {
    await deleteInstanceSetting(tx, "thumbnail");
    await logSettings(tx, actorId, "instance.thumbnail_remove", "thumbnail");
  });
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
