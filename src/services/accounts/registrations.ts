/**
 * Who may sign up (Mastodon's `registrations_mode`): `open` (anyone, approved at once),
 * `approval` (anyone, but a moderator must approve the account before it can sign in) or
 * `closed` (only with an invite link). Kept in `instance_settings` under `registrations`, the key
 * the instance endpoints already show as `registrations` / `approval_required` / `message`.
 */
import { eq } from "drizzle-orm";
import type { Tx } from "../../db/client.ts";
import { instanceSettings } from "../../db/schema/index.ts";
import { AppError } from "../../lib/errors.ts";
import { type AdminActor, audit } from "../admin/audit.ts";

export const registrationModes = ["open", "approval", "closed"] as const;
export type RegistrationMode = (typeof registrationModes)[number];

/** What a closed or approval-only server may tell would-be members (Mastodon's limit too). */
export const MAX_REGISTRATION_MESSAGE = 5000;

const KEY = "registrations";

/** The current mode; closed until an admin opens the server. */
export async function registrationMode(db: Tx): Promise<RegistrationMode> {
  const [row] = await db
    .select({ value: instanceSettings.value })
    .from(instanceSettings)
    .where(eq(instanceSettings.key, KEY));
  const value = row?.value as { enabled?: unknown; approval_required?: unknown } | undefined;
  if (value?.enabled !== true) return "closed";
  return value.approval_required === true ? "approval" : "open";
}

/**
 * Sets the mode. `message` (shown on the sign-up page and in the instance endpoints) is kept as
 * it was when not given; null or "" clears it. The admin audit log records who did it (`actorId`
 * null: the CLI).
 */
export async function setRegistrationMode(
  db: Tx,
  mode: RegistrationMode,
  message?: string | null,
  actorId: AdminActor = null,
): Promise<void> {
  if (!registrationModes.includes(mode))
    throw new AppError(422, "The registration mode must be open, approval or closed");
  if (message && message.length > MAX_REGISTRATION_MESSAGE)
    throw new AppError(422, `The message may be at most ${MAX_REGISTRATION_MESSAGE} characters`);
  const [row] = await db
    .select({ value: instanceSettings.value })
    .from(instanceSettings)
    .where(eq(instanceSettings.key, KEY));
  const old = (row?.value as { message?: unknown } | undefined)?.message;
  const kept = message === undefined ? (typeof old === "string" ? old : null) : message || null;
  const value = {
    enabled: mode !== "closed",
    approval_required: mode === "approval",
    message: kept?.trim() || null,
  };
  await db.transaction(async (tx) => {
    await tx
      .insert(instanceSettings)
      .values({ key: KEY, value })
      .onConflictDoUpdate({ target: instanceSettings.key, set: { value, updatedAt: new Date() } });
    await audit(tx, {
      actorId,
      action: "instance.registrations",
      targetType: "instance_settings",
      targetLabel: KEY,
      detail: { mode },
    });
  });
}
