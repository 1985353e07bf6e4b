import type { Context } from "@fedify/fedify";
import { QuoteAuthorization } from "@fedify/vocab";
import { logger } from "../lib/logger.ts";
import { getAccount } from "../services/accounts/accounts.ts";
import { acceptVerifiedQuote, getQuote } from "../services/quotes/quotes.ts";
import { fetchMissingParent } from "../services/statuses/parents.ts";
import { findStatusByUri } from "../services/statuses/remote.ts";
import { type FedContext, INSTANCE_ACTOR } from "./context.ts";
import { httpOrigin } from "./origin-rules.ts";
import { remotePostResolver } from "./resolve.ts";

const log = logger("federation", "quotes");
const FETCH_TIMEOUT_MS = 10_000;

/**
 * A stored remote post quoting another server's post, with a `quoteAuthorization`: as Mastodon
 * 4.5 does, the authorization is fetched from the quoted post's origin (never taken from the
 * quoting server) and must be a QuoteAuthorization by the quoted post's author for exactly this
 * quoting post and this quoted post. Then the quote is accepted; otherwise it stays pending.
 * An unknown quoted post is fetched first (public and unlisted ones only).
 */
export async function verifyRemoteQuote(ctx: Context<FedContext>, quoteId: string): Promise<void> {
  const { db } = ctx.data;
  const found = await getQuote(db, quoteId);
  if (!found?.quote.authorizationUri || found.quote.state !== "pending") return;
  const authorizationUri = found.quote.authorizationUri;
  if (httpOrigin(authorizationUri) !== httpOrigin(found.quote.quotedUri)) return;
  const quoted =
    (await findStatusByUri(db, found.quote.quotedUri)) ??
    (await fetchMissingParent(db, found.quote.quotedUri, 1, remotePostResolver(ctx)));
  if (!quoted || quoted.local) return;
  const quotedAuthor = await getAccount(db, quoted.accountId);
  try {
    const documentLoader = await ctx.getDocumentLoader({ identifier: INSTANCE_ACTOR });
    const object = await ctx.lookupObject(authorizationUri, {
      documentLoader,
      contextLoader: ctx.contextLoader,
      signal: AbortSignal.timeout(FETCH_TIMEOUT_MS),
    });
    const valid =
      object instanceof QuoteAuthorization &&
      object.id?.href === authorizationUri &&
      object.attributionId?.href === quotedAuthor.uri &&
      object.interactingObjectId?.href === found.status.uri &&
      object.interactionTargetId?.href === quoted.uri;
    if (valid) await acceptVerifiedQuote(db, quoteId, quoted.id);
    else log.info("Quote authorization {uri} does not match", { uri: authorizationUri });
  } catch (error) {
    log.info("Could not fetch quote authorization {uri}: {error}", {
      uri: authorizationUri,
      error,
    });
  }
}
