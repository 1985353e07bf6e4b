import type { FederationBuilder } from "@fedify/fedify";
import { and, desc, eq, inArray, lt, sql } from "drizzle-orm";
import type { Db } from "../../db/client.ts";
import { accounts, follows, statuses } from "../../db/schema/index.ts";
import { isId } from "../../lib/ids.ts";
import { paths } from "../../lib/urls.ts";
import { findLocalAccount } from "../../services/accounts/accounts.ts";
import { featuredStatuses } from "../../services/pins/pins.ts";
import { loadBundles } from "../../services/statuses/load.ts";
import { mayFetchAs } from "../authorized-fetch.ts";
import { type FedContext, INSTANCE_ACTOR } from "../context.ts";
import { hasUsableUrls, recipientOf } from "../outbound.ts";
import { announceActivity, announceFacts } from "../to-ap/announce.ts";
import { createActivity, statusToNote } from "../to-ap/note.ts";

const PAGE = 40;

/**
 * Accepted followers (or followings) of a local account; `cursor` null means all (fan-out). Only
 * the addresses: a fan-out to 1,000 followers spent ~20 ms mapping their whole account rows.
 */
async function followPage(
  db: Db,
  identifier: string,
  side: "followers" | "following",
  cursor: string | null,
) {
  const account = await findLocalAccount(db, identifier);
  if (!account || account.username !== identifier) return null;
  const mine = side === "followers" ? follows.followingId : follows.followerId;
  const other = side === "followers" ? follows.followerId : follows.followingId;
  const query = db
    .select({
      account: {
        uri: accounts.uri,
        inboxUrl: accounts.inboxUrl,
        sharedInboxUrl: accounts.sharedInboxUrl,
      },
      followId: follows.id,
    })
    .from(follows)
    .innerJoin(accounts, eq(accounts.id, other))
    .where(
      and(
        eq(mine, account.id),
        eq(follows.state, "accepted"),
        cursor ? lt(follows.id, cursor) : undefined,
      ),
    )
    .orderBy(desc(follows.id));
  const rows = cursor === null ? await query : await query.limit(PAGE);
  const last = rows.at(-1);
  return {
    items: rows.map((r) => r.account),
    nextCursor: cursor !== null && rows.length === PAGE && last ? last.followId : null,
  };
}

async function countFollows(db: Db, identifier: string, side: "followers" | "following") {
  if (identifier === INSTANCE_ACTOR) return 0;
  const account = await findLocalAccount(db, identifier);
  if (!account) return null;
  const mine = side === "followers" ? follows.followingId : follows.followerId;
  const [row] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(follows)
    .where(and(eq(mine, account.id), eq(follows.state, "accepted")));
  return row.n;
}

/** Paged followers, following, outbox and featured collections of local actors. */
export function registerCollections(builder: FederationBuilder<FedContext>): void {
  // The first page's cursor is "" (newest first); a null cursor asks for everything at once.
  // No first page for someone who does not exist: Fedify then answers 404.
  // The instance actor's collections exist and stay empty: it follows no one and posts nothing,
  // but an actor without them makes Fedify warn on every fetch, and a named one that answers 404
  // makes peers log errors (Mastodon's instance actor serves an empty outbox too).
  const first = async (ctx: { data: FedContext }, identifier: string) =>
    identifier === INSTANCE_ACTOR || (await findLocalAccount(ctx.data.db, identifier)) ? "" : null;
  const empty = { items: [], nextCursor: null };
  // Cursors are ids; anything else is a page that does not exist.
  const badCursor = (cursor: string | null) => cursor !== null && cursor !== "" && !isId(cursor);
  builder
    .setFollowersDispatcher(paths.followers, async (ctx, identifier, cursor) => {
      if (badCursor(cursor)) return null;
      if (identifier === INSTANCE_ACTOR) return empty;
      const page = await followPage(
        ctx.data.db,
        identifier,
        "followers",
        cursor === "" ? "9223372036854775807" : cursor,
      );
      return (
        page && {
          items: page.items.filter(hasUsableUrls).map(recipientOf),
          nextCursor: page.nextCursor,
        }
      );
    })
    .setCounter((ctx, identifier) => countFollows(ctx.data.db, identifier, "followers"))
    .setFirstCursor(first)
    .authorize(mayFetchAs);

  builder
    .setFollowingDispatcher(paths.following, async (ctx, identifier, cursor) => {
      if (badCursor(cursor)) return null;
      if (identifier === INSTANCE_ACTOR) return empty;
      const page = await followPage(
        ctx.data.db,
        identifier,
        "following",
        cursor === "" ? "9223372036854775807" : cursor,
      );
      return page && { items: page.items.map((a) => new URL(a.uri)), nextCursor: page.nextCursor };
    })
    .setCounter((ctx, identifier) => countFollows(ctx.data.db, identifier, "following"))
    .setFirstCursor(first)
    .authorize(mayFetchAs);

  builder
    .setOutboxDispatcher(paths.outbox, async (ctx, identifier, cursor) => {
      if (cursor === null || badCursor(cursor)) return null; // only paged: an outbox can be long
      if (identifier === INSTANCE_ACTOR) return empty;
      const account = await findLocalAccount(ctx.data.db, identifier);
      if (!account || account.username !== identifier) return null;
      if (account.suspendedAt) return empty; // its posts are gone while suspended
      const rows = await ctx.data.db
        .select()
        .from(statuses)
        .where(
          and(
            eq(statuses.accountId, account.id),
            inArray(statuses.visibility, ["public", "unlisted"]),
            cursor ? lt(statuses.id, cursor) : undefined,
          ),
        )
        .orderBy(desc(statuses.id))
        .limit(PAGE);
      const bundles = await loadBundles(ctx.data.db, rows);
      return {
        // A boost is listed as its Announce, as Mastodon's outbox lists it.
        items: bundles.map((b) =>
          b.reblog
            ? announceActivity(announceFacts(ctx, b.account, b.reblog, b.status))
            : createActivity(ctx, b),
        ),
        nextCursor: rows.length === PAGE ? rows[rows.length - 1].id : null,
      };
    })
    .setCounter(async (ctx, identifier) => {
      if (identifier === INSTANCE_ACTOR) return 0;
      const account = await findLocalAccount(ctx.data.db, identifier);
      if (!account) return null;
      const [row] = await ctx.data.db
        .select({ n: sql<number>`count(*)::int` })
        .from(statuses)
        .where(
          and(
            eq(statuses.accountId, account.id),
            inArray(statuses.visibility, ["public", "unlisted"]),
          ),
        );
      return row.n;
    })
    .setFirstCursor(first)
    .authorize(mayFetchAs);

  // The pinned posts, whole Notes in one unpaged OrderedCollection, as Mastodon serves them
  // (at most five, so other servers show a profile's pins with one fetch).
  const featuredOf = async (ctx: { data: FedContext }, identifier: string) => {
    // The instance actor pins nothing; an empty collection keeps Mastodon's profile fetch happy.
    if (identifier === INSTANCE_ACTOR) return [];
    const account = await findLocalAccount(ctx.data.db, identifier);
    if (!account || account.username !== identifier) return null;
    return featuredStatuses(ctx.data.db, account.id);
  };
  builder
    .setFeaturedDispatcher(paths.featured, async (ctx, identifier) => {
      const pinned = await featuredOf(ctx, identifier);
      if (!pinned) return null;
      const bundles = await loadBundles(ctx.data.db, pinned);
      return { items: bundles.map((b) => statusToNote(ctx, b)) };
    })
    // totalItems, as Mastodon gives it: a handful of rows at most, read by one range scan.
    .setCounter(async (ctx, identifier) => (await featuredOf(ctx, identifier))?.length ?? null)
    .authorize(mayFetchAs);
}
