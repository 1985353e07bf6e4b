import type { DocumentLoader } from "@fedify/fedify";
import { type Actor, Application, Image, Link, PropertyValue, Service } from "@fedify/vocab";
import { and, eq, ne, sql } from "drizzle-orm";
import type { Db } from "../../db/client.ts";
import { accounts, type ProfileField } from "../../db/schema/index.ts";
import { isPublicUrl } from "../../lib/address-guard.ts";
import { sanitizeRemoteHtml } from "../../lib/html.ts";
import { newId } from "../../lib/ids.ts";
import type { Account } from "../../services/accounts/accounts.ts";
import { enqueueJob } from "../../services/jobs.ts";
import { queueProfileImageCache } from "../../services/media/remote.ts";
import { storeEmojiTags } from "./emoji.ts";

/** Remote text as a string PostgreSQL can store (no NUL characters). */
const text = (v: unknown) => (v == null ? "" : String(v).replaceAll("\u0000", ""));
const urlOf = (v: URL | Link | null | undefined): string | null =>
  v instanceof URL ? v.href : v instanceof Link ? (v.href?.href ?? null) : null;

async function imageUrl(get: () => Promise<Image | URL | null>): Promise<string | null> {
  try {
    const image = await get();
    const url =
      image instanceof URL ? image.href : image instanceof Image ? urlOf(image.url) : null;
    // Only http(s): a `javascript:` avatar would end up in every client's <img>.
    return url && /^https?:\/\//i.test(url) && url.length <= 2048 ? url : null;
  } catch {
    // A broken avatar must not keep the actor out.
  }
  return null;
}

/** Remote profile fields kept, at most (Mastodon shows 4; some servers allow more). */
export const MAX_REMOTE_FIELDS = 10;
const MAX_FIELD_NAME = 255;
const MAX_FIELD_VALUE = 2_000;

/** The actor's PropertyValue fields: names as plain text, values as sanitized HTML, capped. */
async function remoteFields(actor: Actor): Promise<ProfileField[]> {
  const fields: ProfileField[] = [];
  let read = 0;
  try {
    for await (const item of actor.getAttachments({
      suppressError: true,
      documentLoader: async (url) => {
        throw new Error(`not fetching field ${url}`);
      },
    })) {
      if (++read > 50 || fields.length >= MAX_REMOTE_FIELDS) break;
      if (!(item instanceof PropertyValue)) continue;
      const name = sanitizeRemoteHtml(text(item.name))
        .replace(/<[^>]*>/g, "")
        .slice(0, MAX_FIELD_NAME);
      const value = sanitizeRemoteHtml(text(item.value)).slice(0, MAX_FIELD_VALUE);
      if (name || value) fields.push({ name, value, verifiedAt: null });
    }
  } catch {
    // Broken fields must not keep the actor out.
  }
  return fields;
}

/**
 * A handle belongs to one actor. When another actor id now claims a stored handle (the account
 * was deleted and made anew on its server), the old row gives the handle up: it keeps its posts
 * and follows under a name no handle can take (usernames have no dots).
 */
async function retireHandleClash(
  db: Db,
  username: string,
  domain: string,
  uri: string,
): Promise<void> {
  await db
    .update(accounts)
    .set({ username: sql`${accounts.username} || '.gone.' || ${accounts.id}::text` })
    .where(
      and(
        sql`lower(${accounts.username}) = lower(${username})`,
        sql`lower(${accounts.domain}) = lower(${domain})`,
        ne(accounts.uri, uri),
      ),
    );
}

/** Stores (or refreshes) a remote actor; returns its account. Never touches local accounts. */
export async function persistActor(
  db: Db,
  actor: Actor,
  opts: { documentLoader?: DocumentLoader; allowPrivateAddresses: boolean },
): Promise<Account | null> {
  if (!actor.id || !actor.inboxId) return null;
  let sharedInbox = actor.endpoints?.sharedInbox?.href ?? null;
  // Fedify delivers to any inbox an actor names: an actor on a public host could name
  // http://127.0.0.1:6379/ or a cloud metadata address. Such inboxes are never stored.
  if (!opts.allowPrivateAddresses) {
    if (!(await isPublicUrl(actor.inboxId.href))) return null;
    if (sharedInbox && !(await isPublicUrl(sharedInbox))) sharedInbox = null;
  }
  const uri = actor.id.href;
  const username =
    text(actor.preferredUsername).trim() || uri.split("/").filter(Boolean).pop() || "unknown";
  const fields = {
    username: username.slice(0, 100),
    domain: actor.id.host,
    uri,
    url: urlOf(actor.url) ?? uri,
    actorType: actor.constructor.name,
    displayName: text(actor.name).slice(0, 200),
    note: sanitizeRemoteHtml(text(actor.summary)).slice(0, 20_000),
    avatarUrl: await imageUrl(() => actor.getIcon(opts)),
    headerUrl: await imageUrl(() => actor.getImage(opts)),
    fields: await remoteFields(actor),
    locked: actor.manuallyApprovesFollowers ?? false,
    bot: actor instanceof Service || actor instanceof Application,
    discoverable: actor.discoverable ?? false,
    indexable: actor.indexable ?? false,
    inboxUrl: actor.inboxId.href,
    sharedInboxUrl: sharedInbox,
    followersUrl: actor.followersId?.href ?? null,
    followingUrl: actor.followingId?.href ?? null,
    outboxUrl: actor.outboxId?.href ?? null,
    featuredUrl: actor.featuredId?.href ?? null,
    publishedAt: actor.published ? new Date(actor.published.epochMilliseconds) : null,
    updatedAt: new Date(),
    fetchedAt: new Date(),
  };
  const [existing] = await db.select().from(accounts).where(eq(accounts.uri, uri));
  if (existing) {
    if (existing.domain === null) return existing;
    await retireHandleClash(db, fields.username, fields.domain, uri);
    const [row] = await db
      .update(accounts)
      .set(fields)
      .where(eq(accounts.id, existing.id))
      .returning();
    await storeEmojiTags(db, actor, fields.domain);
    await queueFeaturedSync(db, row);
    await queueProfileImageCache(db, existing, row);
    return row;
  }
  await retireHandleClash(db, fields.username, fields.domain, uri);
  const [row] = await db
    .insert(accounts)
    .values({ id: newId(), ...fields })
    .onConflictDoUpdate({ target: accounts.uri, set: fields })
    .returning();
  await storeEmojiTags(db, actor, fields.domain);
  await queueFeaturedSync(db, row);
  await queueProfileImageCache(db, null, row);
  return row ?? null;
}

/**
 * A remote account just stored or refreshed gets its featured collection (its pins) read by a
 * job, so its profile shows them; the request or inbox that stored it never waits for that.
 */
async function queueFeaturedSync(db: Db, row: Account | undefined): Promise<void> {
  if (row?.domain && row.featuredUrl)
    await enqueueJob(db, { type: "account.fetch_featured", accountId: row.id });
}
