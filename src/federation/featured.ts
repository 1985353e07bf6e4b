import type { Context } from "@fedify/fedify";
import { Collection } from "@fedify/vocab";
import { logger } from "../lib/logger.ts";
import type { Account } from "../services/accounts/accounts.ts";
import { getAccount } from "../services/accounts/accounts.ts";
import { REMOTE_PIN_LIMIT, replaceRemotePins } from "../services/pins/pins.ts";
import { findStatusByUri, upsertRemoteStatus } from "../services/statuses/remote.ts";
import type { Status } from "../services/statuses/types.ts";
import type { FedContext } from "./context.ts";
import { signedLoader } from "./inbox/shared.ts";
import { httpOrigin } from "./origin-rules.ts";
import { remotePostResolver } from "./resolve.ts";

const log = logger("federation", "featured");
const FETCH_TIMEOUT_MS = 10_000;

/**
 * A post a remote account features (pins), by its id: the stored status if it is the account's
 * own, else fetched (signed, timed out, origin checked by the resolver) and stored if it is a
 * public or unlisted post by that account. Null for anything else: a pin never stores someone
 * else's post, nor a post on another origin than the account's.
 */
export async function featuredPost(
  ctx: Context<FedContext>,
  account: Account,
  uri: string,
): Promise<Status | null> {
  if (!account.domain || httpOrigin(uri) !== httpOrigin(account.uri)) return null;
  const known = await findStatusByUri(ctx.data.db, uri);
  if (known) return known.accountId === account.id ? known : null;
  const data = await remotePostResolver(ctx)(uri);
  if (!data || data.accountId !== account.id) return null;
  if (data.visibility !== "public" && data.visibility !== "unlisted") return null;
  return (await upsertRemoteStatus(ctx.data.db, data))?.status ?? null;
}

/**
 * Reads a remote account's featured collection into its pins (the `account.fetch_featured` job,
 * queued when the account is stored or refreshed). Bounded as Mastodon reads it: the collection,
 * or its first page only, and at most REMOTE_PIN_LIMIT items, every fetch timed out. The
 * collection must be on the account's origin. A collection that cannot be had changes nothing.
 */
export async function syncFeaturedCollection(
  ctx: Context<FedContext>,
  accountId: string,
): Promise<void> {
  const account = await getAccount(ctx.data.db, accountId).catch(() => null);
  if (!account?.domain || !account.featuredUrl) return;
  const origin = httpOrigin(account.uri);
  if (httpOrigin(account.featuredUrl) !== origin) return;
  let ids: URL[];
  try {
    const loaders = await signedLoader(ctx);
    const collection = await ctx.lookupObject(account.featuredUrl, {
      ...loaders,
      signal: AbortSignal.timeout(FETCH_TIMEOUT_MS),
    });
    if (!(collection instanceof Collection) || collection.id?.origin !== origin) return;
    let page: Collection = collection;
    if (collection.firstId) {
      const first = await collection.getFirst(loaders);
      if (!(first instanceof Collection) || (first.id && first.id.origin !== origin)) return;
      page = first;
    }
    ids = page.itemIds.slice(0, REMOTE_PIN_LIMIT);
  } catch (error) {
    log.info("Could not read the featured collection of {account}: {error}", {
      account: account.uri,
      error,
    });
    return;
  }
  const pinned: string[] = [];
  for (const id of ids) {
    const status = await featuredPost(ctx, account, id.href);
    if (status) pinned.push(status.id);
  }
  await replaceRemotePins(ctx.data.db, account, pinned);
}
