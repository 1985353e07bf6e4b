import type { Context } from "@fedify/fedify";
import type { Recipient } from "@fedify/vocab";
import { Accept, Follow, PUBLIC_COLLECTION, Reject, Undo, Update } from "@fedify/vocab";
import { inArray } from "drizzle-orm";
import { accounts } from "../db/schema/index.ts";
import { newId } from "../lib/ids.ts";
import { type Account, getAccount } from "../services/accounts/accounts.ts";
import { interactedAccountsBeyondFollowers } from "../services/accounts/interacted.ts";
import { logStatusDeliveries } from "../services/analytics/deliveries.ts";
import { profileEmojis } from "../services/emojis/emojis.ts";
import { getFavourite } from "../services/favourites/favourites.ts";
import { getFollow } from "../services/follows/follows.ts";
import { deliveryInbox, followerInboxesAmong } from "../services/follows/inboxes.ts";
import type { TernJob } from "../services/jobs.ts";
import { isPinned } from "../services/pins/pins.ts";
import { loadBundle } from "../services/statuses/load.ts";
import type { StatusBundle } from "../services/statuses/types.ts";
import type { FedContext } from "./context.ts";
import { accountToActor } from "./to-ap/actor.ts";
import {
  type AnnounceFacts,
  announceActivity,
  announceFacts,
  undoAnnounceActivity,
} from "./to-ap/announce.ts";
import { addActivity, removeActivity } from "./to-ap/featured.ts";
import { likeActivity, undoLikeActivity } from "./to-ap/like.ts";
import { createActivity, deleteActivity, updateActivity } from "./to-ap/note.ts";

type Ctx = Context<FedContext>;

/** What delivering to an account needs of it. */
export type Addressable = Pick<Account, "uri" | "inboxUrl" | "sharedInboxUrl">;

export function recipientOf(a: Addressable): Recipient {
  return {
    id: new URL(a.uri),
    inboxId: a.inboxUrl ? new URL(a.inboxUrl) : null,
    endpoints: a.sharedInboxUrl ? { sharedInbox: new URL(a.sharedInboxUrl) } : null,
  };
}

/** Whether an account's URLs parse: one bad row must not fail a whole fan-out (it is skipped). */
export const hasUsableUrls = (a: Addressable) =>
  URL.canParse(a.uri) &&
  (a.inboxUrl === null || URL.canParse(a.inboxUrl)) &&
  (a.sharedInboxUrl === null || URL.canParse(a.sharedInboxUrl));

const isRemote = (a: Account) => a.domain !== null && a.inboxUrl !== null;

/**
 * Delivers a status activity the way its visibility asks: followers (through shared inboxes, with
 * Fedify's fan-out) unless direct, plus every mentioned remote account whose inbox the followers'
 * delivery does not already reach. Fedify de-duplicates inboxes within one send, not across two:
 * a mentioned follower on a server without a shared inbox (snac) got the post twice.
 */
export async function deliver(
  ctx: Ctx,
  author: Account,
  visibility: string,
  mentioned: Account[],
  activity: Parameters<Ctx["sendActivity"]>[2],
  orderingKey: string,
) {
  const sender = { identifier: author.username };
  const options = {
    preferSharedInbox: true,
    excludeBaseUris: [new URL(ctx.data.config.publicUrl)],
    orderingKey,
    // This already runs in a worker's job: Fedify's fan-out queue would only add a second job
    // (stored, claimed, its activity parsed and serialized again) before the first delivery.
    fanout: "skip" as const,
  };
  let remote = mentioned.filter(isRemote);
  if (visibility !== "direct") {
    await ctx.sendActivity(sender, "followers", activity, options);
    const reached = await followerInboxesAmong(
      ctx.data.db,
      author.id,
      remote.map(deliveryInbox).filter((i): i is string => i !== null),
    );
    remote = remote.filter((a) => !reached.has(deliveryInbox(a) ?? ""));
  }
  if (remote.length) await ctx.sendActivity(sender, remote.map(recipientOf), activity, options);
}

/**
 * As Mastodon does, a public or unlisted reply also goes to the author of the post it answers,
 * mentioned or not, so their server can thread and count it.
 */
async function withParentAuthor(
  ctx: Ctx,
  visibility: string,
  parentAuthorId: string | null | undefined,
  mentioned: Account[],
): Promise<Account[]> {
  if (!parentAuthorId || (visibility !== "public" && visibility !== "unlisted")) return mentioned;
  if (mentioned.some((m) => m.id === parentAuthorId)) return mentioned;
  const parentAuthor = await getAccount(ctx.data.db, parentAuthorId).catch(() => null);
  return parentAuthor ? [...mentioned, parentAuthor] : mentioned;
}

export async function sendStatus(
  ctx: Ctx,
  statusId: string,
  kind: "create" | "update",
): Promise<void> {
  let bundle: StatusBundle;
  try {
    bundle = await loadBundle(ctx.data.db, statusId);
  } catch {
    return; // deleted before it could be sent: its Delete job follows
  }
  if (!bundle.status.local) return;
  const activity = kind === "create" ? createActivity(ctx, bundle) : updateActivity(ctx, bundle);
  // Reach analytics: the hosts its followers' fan-out goes to, pending until their outcomes.
  if (kind === "create" && bundle.status.visibility !== "direct")
    await logStatusDeliveries(ctx.data.db, bundle.status.id, bundle.account.id);
  await deliver(
    ctx,
    bundle.account,
    bundle.status.visibility,
    await withParentAuthor(
      ctx,
      bundle.status.visibility,
      bundle.status.inReplyToAccountId,
      bundle.mentions,
    ),
    activity,
    bundle.status.uri,
  );
}

export async function sendStatusDelete(
  ctx: Ctx,
  job: Extract<TernJob, { type: "status.deleted" }>,
): Promise<void> {
  const author = await getAccount(ctx.data.db, job.accountId).catch(() => null);
  if (!author || author.domain !== null) return;
  const mentioned = job.mentionedAccountIds.length
    ? await ctx.data.db.select().from(accounts).where(inArray(accounts.id, job.mentionedAccountIds))
    : [];
  const activity = deleteActivity(
    ctx,
    author.username,
    job.uri,
    job.visibility,
    mentioned.map((m) => new URL(m.uri)),
  );
  const recipients = await withParentAuthor(ctx, job.visibility, job.inReplyToAccountId, mentioned);
  // Those who boosted it drop their boosts on its Delete (as Mastodon sends it to them).
  const reblogged = job.rebloggerAccountIds?.length
    ? await ctx.data.db.select().from(accounts).where(inArray(accounts.id, job.rebloggerAccountIds))
    : [];
  const others = reblogged.filter((r) => !recipients.some((m) => m.id === r.id));
  await deliver(ctx, author, job.visibility, [...recipients, ...others], activity, job.uri);
}

function followObject(follower: Account, target: Account, uri: string): Follow {
  return new Follow({
    id: new URL(uri),
    actor: new URL(follower.uri),
    object: new URL(target.uri),
  });
}

async function pair(ctx: Ctx, followerId: string, followingId: string) {
  const [follower, target] = await Promise.all([
    getAccount(ctx.data.db, followerId),
    getAccount(ctx.data.db, followingId),
  ]);
  return { follower, target };
}

export async function sendFollow(ctx: Ctx, followId: string): Promise<void> {
  const follow = await getFollow(ctx.data.db, followId);
  if (!follow) return; // withdrawn before it went out
  const { follower, target } = await pair(ctx, follow.followerId, follow.followingId);
  if (!isRemote(target)) return;
  await ctx.sendActivity(
    { identifier: follower.username },
    recipientOf(target),
    followObject(follower, target, follow.uri),
    {
      orderingKey: `${follower.uri} ${target.uri}`,
    },
  );
}

export async function sendUndoFollow(
  ctx: Ctx,
  job: Extract<TernJob, { type: "follow.undone" }>,
): Promise<void> {
  const { follower, target } = await pair(ctx, job.followerId, job.followingId);
  if (!isRemote(target)) return;
  const undo = new Undo({
    id: new URL(`${follower.uri}#undo-follows/${newId()}`),
    actor: new URL(follower.uri),
    object: followObject(follower, target, job.followUri),
  });
  await ctx.sendActivity({ identifier: follower.username }, recipientOf(target), undo, {
    orderingKey: `${follower.uri} ${target.uri}`,
  });
}

/** A locked local account's answer to a remote follow request. */
export async function sendFollowAnswer(
  ctx: Ctx,
  target: Account,
  follower: Account,
  followUri: string,
  accepted: boolean,
) {
  if (!isRemote(follower)) return;
  const values = {
    id: new URL(`${target.uri}#${accepted ? "accepts" : "rejects"}/${newId()}`),
    actor: new URL(target.uri),
    object: followObject(follower, target, followUri),
    to: new URL(follower.uri),
  };
  await ctx.sendActivity(
    { identifier: target.username },
    recipientOf(follower),
    accepted ? new Accept(values) : new Reject(values),
  );
}

/** Like (or its Undo) to the author of a remote status; a status or liker gone since: nothing. */
async function sendLikeActivity(
  ctx: Ctx,
  likerId: string,
  statusId: string,
  likeUri: string,
  undo: boolean,
): Promise<void> {
  const [liker, bundle] = await Promise.all([
    getAccount(ctx.data.db, likerId).catch(() => null),
    loadBundle(ctx.data.db, statusId).catch(() => null),
  ]);
  if (!liker || liker.domain !== null || !bundle || !isRemote(bundle.account)) return;
  const facts = {
    uri: likeUri,
    actorUri: liker.uri,
    statusUri: bundle.status.uri,
    authorUri: bundle.account.uri,
  };
  await ctx.sendActivity(
    { identifier: liker.username },
    recipientOf(bundle.account),
    undo ? undoLikeActivity(facts) : likeActivity(facts),
    // One key per pair, so an Undo never overtakes its Like.
    { orderingKey: `${liker.uri} ${bundle.status.uri}` },
  );
}

export async function sendLike(ctx: Ctx, favouriteId: string): Promise<void> {
  const fav = await getFavourite(ctx.data.db, favouriteId);
  if (!fav) return; // undone before it went out: the Undo job has nothing to take back either
  await sendLikeActivity(ctx, fav.accountId, fav.statusId, fav.uri, false);
}

export async function sendUndoLike(
  ctx: Ctx,
  job: Extract<TernJob, { type: "favourite.undone" }>,
): Promise<void> {
  await sendLikeActivity(ctx, job.accountId, job.statusId, job.likeUri, true);
}

/**
 * `Add` (pinned) or `Remove` (unpinned) of a local account's status to its followers, as
 * Mastodon distributes them. A pin taken back before its Add went out sends nothing.
 */
export async function sendPinChange(
  ctx: Ctx,
  job: Extract<TernJob, { type: "pin.added" | "pin.removed" }>,
): Promise<void> {
  const author = await getAccount(ctx.data.db, job.accountId).catch(() => null);
  if (!author || author.domain !== null) return;
  let statusUri: string;
  if (job.type === "pin.added") {
    const bundle = await loadBundle(ctx.data.db, job.statusId).catch(() => null);
    if (!bundle || !(await isPinned(ctx.data.db, author.id, job.statusId))) return;
    statusUri = bundle.status.uri;
  } else {
    statusUri = job.statusUri;
  }
  const facts = {
    actorUri: author.uri,
    featuredUri: ctx.getFeaturedUri(author.username).href,
    statusUri,
  };
  const activity = job.type === "pin.added" ? addActivity(facts) : removeActivity(facts);
  // One key per post, so a quick unpin never overtakes its pin.
  await deliver(ctx, author, "public", [], activity, `${author.uri} pin ${statusUri}`);
}

/**
 * An Announce (or its Undo) goes where Mastodon sends it: the booster's followers (unless the
 * boost is direct, which Tern never makes) and the boosted author, if remote. One ordering key
 * per booster and post, so an Undo never overtakes its Announce, nor a boost after it.
 */
async function deliverBoost(
  ctx: Ctx,
  booster: Account,
  boosted: StatusBundle,
  facts: AnnounceFacts,
  undo: boolean,
): Promise<void> {
  const activity = undo ? undoAnnounceActivity(facts) : announceActivity(facts);
  await deliver(
    ctx,
    booster,
    facts.visibility,
    [boosted.account],
    activity,
    `${booster.uri} ${boosted.status.uri}`,
  );
}

export async function sendAnnounce(ctx: Ctx, boostId: string): Promise<void> {
  const bundle = await loadBundle(ctx.data.db, boostId).catch(() => null);
  // Taken back before it went out: the Undo job has nothing to take back either.
  if (!bundle?.reblog || !bundle.status.local) return;
  const facts = announceFacts(ctx, bundle.account, bundle.reblog, bundle.status);
  await deliverBoost(ctx, bundle.account, bundle.reblog, facts, false);
}

export async function sendUndoAnnounce(
  ctx: Ctx,
  job: Extract<TernJob, { type: "reblog.undone" }>,
): Promise<void> {
  const [booster, boosted] = await Promise.all([
    getAccount(ctx.data.db, job.accountId).catch(() => null),
    loadBundle(ctx.data.db, job.statusId).catch(() => null),
  ]);
  // A boosted post deleted since: its own Delete takes the boosts with it everywhere.
  if (!booster || booster.domain !== null || !boosted) return;
  const facts = announceFacts(ctx, booster, boosted, {
    uri: job.uri,
    visibility: job.visibility,
    createdAt: new Date(),
  });
  await deliverBoost(ctx, booster, boosted, facts, true);
}

/** A changed local profile, as Update(Person) to its followers (Mastodon sends it to all). */
export async function sendActorUpdate(ctx: Ctx, accountId: string): Promise<void> {
  const account = await getAccount(ctx.data.db, accountId).catch(() => null);
  if (!account || account.domain !== null) return;
  const actor = accountToActor(
    ctx,
    account,
    await ctx.getActorKeyPairs(account.username),
    await profileEmojis(ctx.data.db, account),
  );
  const actorUri = ctx.getActorUri(account.username);
  const update = new Update({
    id: new URL(`${actorUri.href}#updates/${account.updatedAt.getTime()}`),
    actor: actorUri,
    to: PUBLIC_COLLECTION,
    object: actor,
  });
  const options = {
    preferSharedInbox: true,
    excludeBaseUris: [new URL(ctx.data.config.publicUrl)],
    fanout: "skip" as const, // already in a worker's job, as in `deliver`
  };
  await ctx.sendActivity({ identifier: account.username }, "followers", update, options);
  // Also the servers of those it follows, mentioned, favourited or boosted lately.
  const others = await interactedAccountsBeyondFollowers(ctx.data.db, account.id);
  if (others.length)
    await ctx.sendActivity(
      { identifier: account.username },
      others.map(recipientOf),
      update,
      options,
    );
}
