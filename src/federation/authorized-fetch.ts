import type { RequestContext } from "@fedify/fedify";
import { Endpoints, Person, Service } from "@fedify/vocab";
import { sql } from "drizzle-orm";
import { queryRows } from "../db/client.ts";
import { logger } from "../lib/logger.ts";
import { findAccountByUri, findLocalAccount } from "../services/accounts/accounts.ts";
import { authorBlocksViewer } from "../services/safety/hidden-authors.ts";
import { federationPolicy } from "../services/safety/server-domains.ts";
import { type FedContext, INSTANCE_ACTOR } from "./context.ts";
import { signingKeyHost } from "./inbox-guard.ts";

const log = logger("federation", "authorized-fetch");

/**
 * Authorized fetch (AUTHORIZED_FETCH=true, Mastodon's "secure mode"): ActivityPub objects and
 * collections only for a GET signed by a key of a server we federate with. Unsigned: 401. Signed
 * by a suspended (or, in allowlist mode, unlisted) domain, or by an account the author blocks or
 * whose domain the author blocks: 403. Exempt so that peers can bootstrap: the instance actor
 * (who signs our own fetches) and its collections, WebFinger and NodeInfo (no dispatcher of
 * ours), and each actor's public key: an unsigned GET of an actor gets the actor reduced to what
 * verifying its signatures needs, as Mastodon serves it.
 */
type Verdict = "ok" | "unsigned" | "refused";

const verdicts = new WeakMap<Request, Promise<Verdict>>();
/** Why a request was refused, for `onUnauthorized` (which Fedify hands only the request). */
const refusals = new WeakMap<Request, 401 | 403>();

async function judge(ctx: RequestContext<FedContext>, identifier: string): Promise<Verdict> {
  const { db, config } = ctx.data;
  // A suspended domain's signature is refused before its key is fetched (which the outbound
  // guard would refuse anyway, making the request look unsigned).
  const claimed = signingKeyHost(ctx.request.headers);
  if (!claimed) return "unsigned";
  if (await federationPolicy(db, config).refuses(claimed)) return "refused";
  const documentLoader = await ctx.getDocumentLoader({ identifier: INSTANCE_ACTOR });
  const key = await ctx.getSignedKey({ documentLoader }).catch(() => null);
  if (!key?.id) return "unsigned";
  const host = key.id.host;
  if (host !== claimed && (await federationPolicy(db, config).refuses(host))) return "refused";
  const author = identifier === INSTANCE_ACTOR ? undefined : await findLocalAccount(db, identifier);
  if (!author) return "ok";
  // The key's owner, as the key (from the same origin) names it: no fetch of the owner needed.
  const owner =
    key.ownerId && key.ownerId.origin === key.id.origin
      ? await findAccountByUri(db, key.ownerId.href)
      : undefined;
  if (owner && (await authorBlocksViewer(db, author.id, owner.id))) return "refused";
  const domainBlocked = await queryRows<{ one: number }>(
    db,
    sql`select 1 as one from account_domain_blocks
        where account_id = ${author.id} and domain in (${host}, ${key.id.hostname})`,
  );
  return domainBlocked.length > 0 ? "refused" : "ok";
}

/** The verdict on this request's signature for `identifier`'s things, worked out once. */
function verdictOf(ctx: RequestContext<FedContext>, identifier: string): Promise<Verdict> {
  // Fedify also calls dispatchers outside requests (to build activities): nothing to judge.
  if (!ctx.request) return Promise.resolve("ok");
  let verdict = verdicts.get(ctx.request);
  if (!verdict) {
    verdict = judge(ctx, identifier);
    verdicts.set(ctx.request, verdict);
  }
  return verdict;
}

function refuse(ctx: RequestContext<FedContext>, status: 401 | 403): false {
  refusals.set(ctx.request, status);
  log.info("Refused {status} GET {url}", { status, url: ctx.request.url });
  return false;
}

/** Fedify's `.authorize()` for objects and collections of the actor `identifier`. */
export async function mayFetchAs(
  ctx: RequestContext<FedContext>,
  identifier: string,
): Promise<boolean> {
  if (!ctx.data.config.authorizedFetch || identifier === INSTANCE_ACTOR) return true;
  const verdict = await verdictOf(ctx, identifier);
  if (verdict === "ok") return true;
  return refuse(ctx, verdict === "unsigned" ? 401 : 403);
}

/** Fedify's `.authorize()` for actor documents: unsigned passes (and gets the key only). */
export async function mayFetchActor(
  ctx: RequestContext<FedContext>,
  identifier: string,
): Promise<boolean> {
  if (!ctx.data.config.authorizedFetch || identifier === INSTANCE_ACTOR) return true;
  return (await verdictOf(ctx, identifier)) === "refused" ? refuse(ctx, 403) : true;
}

/** True when the actor document should be reduced to its key: authorized fetch and unsigned. */
export async function keyOnlyActor(
  ctx: RequestContext<FedContext>,
  identifier: string,
): Promise<boolean> {
  if (!ctx.data.config.authorizedFetch || identifier === INSTANCE_ACTOR) return false;
  return (await verdictOf(ctx, identifier)) === "unsigned";
}

/**
 * What an unsigned fetcher gets of an actor under authorized fetch: id, type, name, inbox,
 * outbox, endpoints and keys (Mastodon's reduced actor): enough to verify its signatures.
 */
export function reducedActor(
  ctx: RequestContext<FedContext>,
  identifier: string,
  keys: Awaited<ReturnType<RequestContext<FedContext>["getActorKeyPairs"]>>,
  bot: boolean,
): Person | Service {
  const values = {
    id: ctx.getActorUri(identifier),
    preferredUsername: identifier,
    inbox: ctx.getInboxUri(identifier),
    outbox: ctx.getOutboxUri(identifier),
    endpoints: new Endpoints({ sharedInbox: ctx.getInboxUri() }),
    publicKey: keys[0]?.cryptographicKey ?? null,
    assertionMethods: keys.map((k) => k.multikey),
  };
  return bot ? new Service(values) : new Person(values);
}

/** Fedify's `onUnauthorized`: 401 asks for a signature, 403 says one will not help. */
export function unauthorizedFetch(request: Request): Response {
  const status = refusals.get(request) ?? 401;
  return Response.json(
    { error: status === 401 ? "Request signature required" : "Forbidden" },
    { status, headers: status === 401 ? { "WWW-Authenticate": "Signature" } : {} },
  );
}
