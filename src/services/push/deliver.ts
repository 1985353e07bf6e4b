import { eq } from "drizzle-orm";
import type { Db } from "../../db/client.ts";
import {
  accounts,
  type NotificationType,
  notifications,
  pushSubscriptions,
  statuses,
} from "../../db/schema/index.ts";
import { htmlToPlainText } from "../../lib/html.ts";
import { logger } from "../../lib/logger.ts";
import { notificationAllowed } from "../events/audience.ts";
import { enqueueJob } from "../jobs.ts";
import { followedAmong } from "../quotes/policy.ts";
import { type PushSubscription, wantsAlert } from "./subscriptions.ts";
import { loadVapidKeys } from "./vapid.ts";

const log = logger("push");

/** How long a push service keeps a message for an offline device (Mastodon: two days). */
const TTL_SECONDS = 48 * 3600;
/** Push services take 4 KiB; the body is cut well before (RFC 8291 adds 103 bytes). */
const MAX_BODY_CHARS = 140;

/** What Mastodon puts in a Web Push message, which its apps read (JSON, then encrypted). */
export interface PushPayload {
  access_token: string;
  preferred_locale: string;
  notification_id: string;
  notification_type: NotificationType;
  icon: string;
  title: string;
  body: string;
}

/** The policy: whose notifications are pushed at all. */
async function policyAllows(db: Db, sub: PushSubscription, fromId: string): Promise<boolean> {
  if (sub.policy === "all") return true;
  if (sub.policy === "none") return false;
  const [follower, following] =
    sub.policy === "followed" ? [sub.accountId, fromId] : [fromId, sub.accountId];
  return (await followedAmong(db, follower, [following])).has(following);
}

/**
 * A notification was written: one delivery job per subscription of the recipient that wants its
 * type and whose policy lets it through (each retried on its own).
 */
export async function queuePushDeliveries(db: Db, notificationId: string): Promise<void> {
  const [n] = await db.select().from(notifications).where(eq(notifications.id, notificationId));
  if (!n || !(await notificationAllowed(db, n.accountId, n.fromAccountId))) return;
  const subs = await db
    .select()
    .from(pushSubscriptions)
    .where(eq(pushSubscriptions.accountId, n.accountId));
  const wanted: PushSubscription[] = [];
  for (const sub of subs) {
    if (wantsAlert(sub, n.type) && (await policyAllows(db, sub, n.fromAccountId))) wanted.push(sub);
  }
  if (wanted.length === 0) return;
  await db.transaction(async (tx) => {
    for (const sub of wanted)
      await enqueueJob(tx, { type: "push.deliver", subscriptionId: sub.id, notificationId });
  });
}

const TITLES: Record<NotificationType, (name: string) => string> = {
  mention: (n) => `${n} mentioned you`,
  status: (n) => `New post from ${n}`,
  reblog: (n) => `${n} boosted your post`,
  follow: (n) => `${n} followed you`,
  follow_request: (n) => `${n} asked to follow you`,
  favourite: (n) => `${n} favourited your post`,
  poll: () => "A poll has ended",
  update: (n) => `${n} edited a post`,
  quote: (n) => `${n} quoted your post`,
  quoted_update: (n) => `${n} edited a post you quoted`,
  "admin.report": (n) => `${n} filed a report`,
  "admin.sign_up": (n) => `${n} signed up`,
  moderation_warning: () => "A moderator took action on your account",
  severed_relationships: () => "Some of your follow relationships were severed",
};

async function payloadFor(db: Db, notificationId: string, publicUrl: string) {
  const [row] = await db
    .select({ n: notifications, from: accounts })
    .from(notifications)
    .innerJoin(accounts, eq(accounts.id, notifications.fromAccountId))
    .where(eq(notifications.id, notificationId));
  if (!row) return undefined;
  const { n, from } = row;
  const [status] = n.statusId
    ? await db.select().from(statuses).where(eq(statuses.id, n.statusId))
    : [];
  const name = from.displayName || from.username;
  const text = status
    ? htmlToPlainText(status.spoilerText || status.content)
    : `@${from.domain ? `${from.username}@${from.domain}` : from.username}`;
  const payload: PushPayload = {
    // Tern keeps only a hash of each token: the app knows its own and authenticates with that.
    access_token: "",
    preferred_locale: "en",
    notification_id: n.id,
    notification_type: n.type,
    icon: from.avatarUrl ?? `${publicUrl}/static/avatar.png`,
    title: TITLES[n.type](name),
    body: text.length > MAX_BODY_CHARS ? `${text.slice(0, MAX_BODY_CHARS - 1)}…` : text,
  };
  return payload;
}

/**
 * Sends one push: encrypted for the subscription's keys (aes128gcm, or the legacy aesgcm),
 * signed with our VAPID key, through the guarded global fetch. A 404 or 410 means the
 * subscription is gone: it is deleted. Other failures throw, so the queue retries with backoff.
 */
export async function deliverPush(
  db: Db,
  publicUrl: string,
  job: { subscriptionId: string; notificationId: string },
): Promise<void> {
  const [sub] = await db
    .select()
    .from(pushSubscriptions)
    .where(eq(pushSubscriptions.id, job.subscriptionId));
  if (!sub) return;
  const payload = await payloadFor(db, job.notificationId, publicUrl);
  if (!payload) return;
  const keys = await loadVapidKeys(db);
  const origin = new URL(publicUrl);
  const { default: webpush } = await import("web-push");
  const request = webpush.generateRequestDetails(
    { endpoint: sub.endpoint, keys: { p256dh: sub.p256dh, auth: sub.auth } },
    JSON.stringify(payload),
    {
      vapidDetails: {
        // An https subject is what push services accept; a plain-http test server gets a mailto.
        subject: origin.protocol === "https:" ? origin.origin : `mailto:admin@${origin.hostname}`,
        publicKey: keys.publicKey,
        privateKey: keys.privateKey,
      },
      TTL: TTL_SECONDS,
      urgency: payload.notification_type === "mention" ? "high" : "normal",
      contentEncoding: sub.standard ? "aes128gcm" : "aesgcm",
    },
  );
  const res = await fetch(request.endpoint, {
    method: request.method,
    headers: request.headers as Record<string, string>,
    body: request.body ? new Uint8Array(request.body) : null,
    redirect: "manual",
  });
  await res.body?.cancel();
  if (res.ok) return;
  if (res.status === 404 || res.status === 410) {
    await db.delete(pushSubscriptions).where(eq(pushSubscriptions.id, sub.id));
    return;
  }
  // A malformed request will not get better by repeating it; a busy or failing service may.
  if (res.status >= 400 && res.status < 500 && res.status !== 408 && res.status !== 429) {
    log.warning("Push to {host} refused: {status}", {
      host: new URL(sub.endpoint).host,
      status: res.status,
    });
    return;
  }
  throw new Error(`Push service answered ${res.status}`);
}
