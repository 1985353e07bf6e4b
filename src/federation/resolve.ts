import type { Context, Federation } from "@fedify/fedify";
import { isActor } from "@fedify/vocab";
import type { DocumentLoader } from "@fedify/vocab-runtime";
import type { Config } from "../config/index.ts";
import type { Db } from "../db/client.ts";
import { logger } from "../lib/logger.ts";
import {
  type Account,
  deleteRemoteAccount,
  findAccountByUri,
} from "../services/accounts/accounts.ts";
import type { RemotePostResolver } from "../services/statuses/parents.ts";
import { type FedContext, INSTANCE_ACTOR } from "./context.ts";
import { persistActor } from "./from-ap/actor.ts";
import { isPostObject, noteToStatusData } from "./from-ap/note.ts";
import { httpOrigin } from "./origin-rules.ts";

const log = logger("federation", "resolve");
const LOOKUP_TIMEOUT_MS = 10_000;

/**
 * Finds a remote account by handle (`user@host`, through WebFinger) or by actor URL, and stores
 * it. Null when it cannot be found or the server does not answer in time.
 */
export async function resolveRemoteAccount(
  federation: Federation<FedContext>,
  data: { db: Db; config: Config },
  handleOrUrl: string,
): Promise<Account | null> {
  const ctx = federation.createContext(new URL(data.config.publicUrl), data);
  const query = /^https?:\/\//.test(handleOrUrl)
    ? handleOrUrl
    : `acct:${handleOrUrl.replace(/^@/, "")}`;
  const watched = watchForGone(await ctx.getDocumentLoader({ identifier: INSTANCE_ACTOR }), query);
  const documentLoader = watched.loader;
  try {
    const object = await ctx.lookupObject(query, {
      documentLoader,
      signal: AbortSignal.timeout(LOOKUP_TIMEOUT_MS),
    });
    if (watched.gone()) await removeGoneActor(data.db, query);
    if (!object || !isActor(object)) return null;
    return await persistActor(data.db, object, {
      documentLoader,
      allowPrivateAddresses: data.config.allowPrivateAddresses,
    });
  } catch (error) {
    log.info("Could not resolve {query}: {error}", { query, error });
    if (watched.gone()) await removeGoneActor(data.db, query).catch(() => {});
    return null;
  }
}

/** A loader that notes whether `url` itself was answered 410 Gone. */
function watchForGone(loader: DocumentLoader, url: string) {
  let gone = false;
  return {
    loader: (async (u, options) => {
      try {
        return await loader(u, options);
      } catch (error) {
        // Fedify's FetchError carries the response.
        if (u === url && (error as { response?: Response }).response?.status === 410) gone = true;
        throw error;
      }
    }) as DocumentLoader,
    gone: () => gone,
  };
}

/**
 * The actor's own URL answered 410 Gone: as Mastodon does when an account's origin says it is
 * gone, the account is removed with its follows and posts.
 */
async function removeGoneActor(db: Db, uri: string): Promise<void> {
  const account = await findAccountByUri(db, uri);
  if (!account || account.domain === null) return;
  await deleteRemoteAccount(db, account.id);
  log.info("Removed {uri}: it answered 410 Gone", { uri });
}

/**
 * A RemotePostResolver: fetches a post with the instance actor's signed loader and keeps it
 * only if it is a Note, Article or Question whose id and author are on the origin it was asked
 * from (the same rule as for any object an activity carries).
 */
export function remotePostResolver(ctx: Context<FedContext>): RemotePostResolver {
  return async (uri) => {
    const origin = httpOrigin(uri);
    if (!origin || origin === new URL(ctx.data.config.publicUrl).origin) return null;
    try {
      const documentLoader = await ctx.getDocumentLoader({ identifier: INSTANCE_ACTOR });
      const loaders = { documentLoader, contextLoader: ctx.contextLoader };
      const object = await ctx.lookupObject(uri, {
        ...loaders,
        signal: AbortSignal.timeout(LOOKUP_TIMEOUT_MS),
      });
      if (!isPostObject(object) || !object.id || !object.attributionId) return null;
      if (object.id.origin !== origin || object.attributionId.origin !== origin) return null;
      let author = await findAccountByUri(ctx.data.db, object.attributionId.href);
      if (!author) {
        const actor = await object.getAttribution(loaders);
        if (!isActor(actor) || actor.id?.href !== object.attributionId.href) return null;
        author =
          (await persistActor(ctx.data.db, actor, {
            documentLoader,
            allowPrivateAddresses: ctx.data.config.allowPrivateAddresses,
          })) ?? undefined;
      }
      if (!author || author.domain === null) return null;
      return await noteToStatusData(ctx.data.db, object, author);
    } catch (error) {
      log.info("Could not fetch post {uri}: {error}", { uri, error });
      return null;
    }
  };
}
