import type { Context, FederationBuilder } from "@fedify/fedify";
import type { Db } from "../../db/client.ts";
import { paths } from "../../lib/urls.ts";
import { findAccountByUri, findLocalAccount } from "../../services/accounts/accounts.ts";
import { getInstanceActorKeys } from "../../services/accounts/instance-keys.ts";
import { findPublicLocalAccount } from "../../services/accounts/visible.ts";
import { profileEmojis } from "../../services/emojis/emojis.ts";
import { keyOnlyActor, mayFetchActor, reducedActor } from "../authorized-fetch.ts";
import { type FedContext, INSTANCE_ACTOR } from "../context.ts";
import { importKeyPairs, localKeyPairs } from "../keys.ts";
import { accountToActor, instanceActor } from "../to-ap/actor.ts";

/** Imported once per database (a process may serve several in tests). */
const instanceKeys = new WeakMap<object, Promise<CryptoKeyPair[]>>();

/** The instance actor's key pairs (RSA first), imported once per database. */
function instanceKeyPairs(db: Db): Promise<CryptoKeyPair[]> {
  let keys = instanceKeys.get(db);
  if (!keys) {
    keys = getInstanceActorKeys(db).then(importKeyPairs);
    instanceKeys.set(db, keys);
    keys.catch(() => instanceKeys.delete(db));
  }
  return keys;
}

/**
 * What shared-inbox work signs its fetches with: the instance actor's RSA key under its key id,
 * given as the key itself, so Fedify does not look the actor's key pairs up again for every
 * activity the worker processes (~2% of its CPU under bench:inbox).
 */
export async function instanceSigningKey(
  ctx: Context<FedContext>,
): Promise<{ keyId: URL; privateKey: CryptoKey }> {
  const [rsa] = await instanceKeyPairs(ctx.data.db);
  return {
    keyId: new URL("#main-key", ctx.getActorUri(INSTANCE_ACTOR)),
    privateKey: rsa.privateKey,
  };
}

/** Actor documents, their keys, and the handle <-> identifier mapping WebFinger uses. */
export function registerActors(builder: FederationBuilder<FedContext>): void {
  builder
    .setActorDispatcher(paths.actor, async (ctx, identifier) => {
      const keys = await ctx.getActorKeyPairs(identifier);
      if (identifier === INSTANCE_ACTOR) return instanceActor(ctx, identifier, keys);
      // A sign-up awaiting approval has no actor yet.
      const account = await findPublicLocalAccount(ctx.data.db, identifier);
      // The URL is case-insensitive for lookups, but the actor has one canonical id.
      if (!account || account.username !== identifier) return null;
      // Authorized fetch: an unsigned fetcher gets the key (to verify our signatures), no more.
      if (await keyOnlyActor(ctx, identifier))
        return reducedActor(ctx, identifier, keys, account.bot);
      return accountToActor(ctx, account, keys, await profileEmojis(ctx.data.db, account));
    })
    .authorize(mayFetchActor)
    .setKeyPairsDispatcher(async (ctx, identifier) => {
      if (identifier === INSTANCE_ACTOR) return instanceKeyPairs(ctx.data.db);
      const account = await findLocalAccount(ctx.data.db, identifier);
      return account ? localKeyPairs(ctx.data.db, account.id) : [];
    })
    .mapHandle(async (ctx, username) => {
      if (username === ctx.data.config.host) return INSTANCE_ACTOR;
      const account = await findPublicLocalAccount(ctx.data.db, username);
      return account ? account.username : null;
    })
    .mapAlias(async (ctx, resource) => {
      // WebFinger by profile URL (https://host/@alice) as well as by actor id.
      if (resource.origin !== ctx.data.config.publicUrl) return null;
      const m = /^\/@([A-Za-z0-9_]+)$/.exec(resource.pathname);
      if (m) {
        const account = await findPublicLocalAccount(ctx.data.db, m[1]);
        return account ? { identifier: account.username } : null;
      }
      const account = await findAccountByUri(ctx.data.db, resource.href);
      return account && account.domain === null ? { identifier: account.username } : null;
    });
}
