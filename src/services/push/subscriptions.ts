import { eq } from "drizzle-orm";
import type { Tx } from "../../db/client.ts";
import {
  type NotificationType,
  notificationTypes,
  pushSubscriptions,
} from "../../db/schema/index.ts";
import { assertPublicUrl } from "../../lib/address-guard.ts";
import { AppError, notFound } from "../../lib/errors.ts";
import { newId } from "../../lib/ids.ts";

export type PushSubscription = typeof pushSubscriptions.$inferSelect;
export type PushPolicy = PushSubscription["policy"];

/** The alerts a client may ask for: every notification type (the admin ones included). */
export const ALERT_TYPES = notificationTypes;

export interface PushData {
  alerts?: Partial<Record<string, boolean>>;
  policy?: PushPolicy;
}

export interface NewSubscription extends PushData {
  endpoint: string;
  p256dh: string;
  auth: string;
  standard: boolean;
}

/** A P-256 public key (uncompressed point) and a 16-byte auth secret, as RFC 8291 needs. */
function checkKeys(p256dh: string, auth: string): void {
  const key = Buffer.from(p256dh, "base64url");
  if (key.length !== 65 || key[0] !== 4)
    throw new AppError(
      422,
      "Validation failed: subscription[keys][p256dh] is not a P-256 public key",
    );
  if (Buffer.from(auth, "base64url").length !== 16)
    throw new AppError(422, "Validation failed: subscription[keys][auth] must be 16 bytes");
}

/**
 * Push endpoints are fetched by our worker: https only, and never a private address (the SSRF
 * guard), unless private addresses are allowed (tests and closed networks).
 */
async function checkEndpoint(endpoint: string, allowPrivate: boolean): Promise<void> {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new AppError(422, "Validation failed: subscription[endpoint] is not a URL");
  }
  if (url.protocol !== "https:" && !(allowPrivate && url.protocol === "http:"))
    throw new AppError(422, "Validation failed: subscription[endpoint] must be an https URL");
  if (allowPrivate) return;
  await assertPublicUrl(url).catch((e: Error) => {
    throw new AppError(422, `Validation failed: subscription[endpoint]: ${e.message}`);
  });
}

const alertsOf = (given: PushData["alerts"] = {}) =>
  Object.fromEntries(ALERT_TYPES.map((t) => [t, given[t] ?? false]));

/** Creates the token's subscription, replacing the one it had (one per token, as on Mastodon). */
export async function saveSubscription(
  db: Tx,
  owner: { tokenId: string; accountId: string },
  input: NewSubscription,
  allowPrivate: boolean,
): Promise<PushSubscription> {
  checkKeys(input.p256dh, input.auth);
  await checkEndpoint(input.endpoint, allowPrivate);
  const values = {
    endpoint: input.endpoint,
    p256dh: input.p256dh,
    auth: input.auth,
    standard: input.standard,
    alerts: alertsOf(input.alerts),
    policy: input.policy ?? "all",
    updatedAt: new Date(),
  };
  const [row] = await db
    .insert(pushSubscriptions)
    .values({ id: newId(), accessTokenId: owner.tokenId, accountId: owner.accountId, ...values })
    .onConflictDoUpdate({ target: pushSubscriptions.accessTokenId, set: values })
    .returning();
  return row;
}

export async function getSubscription(db: Tx, tokenId: string): Promise<PushSubscription> {
  const [row] = await db
    .select()
    .from(pushSubscriptions)
    .where(eq(pushSubscriptions.accessTokenId, tokenId));
  if (!row) throw notFound("Record not found");
  return row;
}

/** Changes which alerts are pushed and the policy; the endpoint and keys stay. */
export async function updateSubscription(
  db: Tx,
  tokenId: string,
  data: PushData,
): Promise<PushSubscription> {
  const current = await getSubscription(db, tokenId);
  const [row] = await db
    .update(pushSubscriptions)
    .set({
      // As on Mastodon, the alerts sent replace the old ones (those not named are off).
      alerts: data.alerts ? alertsOf(data.alerts) : current.alerts,
      policy: data.policy ?? current.policy,
      updatedAt: new Date(),
    })
    .where(eq(pushSubscriptions.id, current.id))
    .returning();
  return row;
}

export async function deleteSubscription(db: Tx, tokenId: string): Promise<void> {
  await db.delete(pushSubscriptions).where(eq(pushSubscriptions.accessTokenId, tokenId));
}

/** Whether a subscription wants this type pushed. */
export const wantsAlert = (s: PushSubscription, type: NotificationType) => s.alerts[type] === true;
