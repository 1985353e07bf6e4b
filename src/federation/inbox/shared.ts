import type { Context, DocumentLoader } from "@fedify/fedify";
import type { Activity } from "@fedify/vocab";
import { isActor } from "@fedify/vocab";
import type { Account } from "../../services/accounts/accounts.ts";
import { findAccountByUri } from "../../services/accounts/accounts.ts";
import { type FedContext, INSTANCE_ACTOR } from "../context.ts";
import { persistActor } from "../from-ap/actor.ts";

/** Remote actors are refetched at most this often when they appear in an activity. */
const ACTOR_REFRESH_MS = 24 * 60 * 60 * 1000;

/**
 * Fetches signed by the instance actor, so authorized-fetch peers (GoToSocial) answer. The signing
 * loader is made at the first fetch: most activities embed their object and fetch nothing, and
 * making it (Fedify looks up and checks the instance actor's key pairs) was ~2% of the worker's
 * CPU under bench:inbox.
 */
export async function signedLoader(
  ctx: Context<FedContext>,
): Promise<{ documentLoader: DocumentLoader; contextLoader: DocumentLoader }> {
  let signing: Promise<DocumentLoader> | undefined;
  const documentLoader: DocumentLoader = async (url, options) => {
    signing ??= ctx.getDocumentLoader({ identifier: INSTANCE_ACTOR });
    return (await signing)(url, options);
  };
  return { documentLoader, contextLoader: ctx.contextLoader };
}

/** Each activity's actor row as first read (by the origin checks), so a listener reads it once. */
const storedSenders = new WeakMap<Activity, Account | undefined>();

/** The stored account of the activity's actor, if any, read once per activity. */
export async function storedSender(
  ctx: Context<FedContext>,
  activity: Activity,
): Promise<Account | undefined> {
  if (!activity.actorId) return undefined;
  if (storedSenders.has(activity)) return storedSenders.get(activity);
  const row = await findAccountByUri(ctx.data.db, activity.actorId.href);
  storedSenders.set(activity, row);
  return row;
}

/** The account of the activity's actor: from our table when fresh, else fetched and stored. */
export async function senderAccount(
  ctx: Context<FedContext>,
  activity: Activity,
): Promise<Account | null> {
  if (!activity.actorId) return null;
  const known = await storedSender(ctx, activity);
  if (
    known &&
    (known.domain === null ||
      (known.fetchedAt && Date.now() - known.fetchedAt.getTime() < ACTOR_REFRESH_MS))
  ) {
    return known;
  }
  const actor = await activity.getActor(await signedLoader(ctx)).catch(() => null);
  if (!actor || !isActor(actor) || actor.id?.href !== activity.actorId.href) return known ?? null;
  return persistActor(ctx.data.db, actor, {
    allowPrivateAddresses: ctx.data.config.allowPrivateAddresses,
  });
}
