import type { Context } from "@fedify/fedify";
import { eq } from "drizzle-orm";
import { statuses } from "../db/schema/index.ts";
import { getAccount } from "../services/accounts/accounts.ts";
import { getInteractionRequest } from "../services/interactions/requests.ts";
import { getQuote } from "../services/quotes/quotes.ts";
import { loadBundle } from "../services/statuses/load.ts";
import type { FedContext } from "./context.ts";
import { recipientOf } from "./outbound.ts";
import {
  answerActivity,
  deleteAuthorizationActivity,
  quoteRequestActivity,
} from "./to-ap/interactions.ts";
import { statusToNote } from "./to-ap/note.ts";
import { requestFacts } from "./to-ap/request-facts.ts";

type Ctx = Context<FedContext>;

/**
 * The QuoteRequest of a local post quoting a remote one, to the quoted author only, with the
 * quoting Note embedded (Mastodon imports it from there). Nothing when either post is gone.
 */
export async function sendQuoteRequest(ctx: Ctx, quoteId: string): Promise<void> {
  const found = await getQuote(ctx.data.db, quoteId);
  if (!found?.quote.requestUri || !found.quote.quotedStatusId || found.quote.state !== "pending")
    return;
  const [quoted] = await ctx.data.db
    .select()
    .from(statuses)
    .where(eq(statuses.id, found.quote.quotedStatusId));
  if (!quoted || quoted.local) return;
  const [bundle, quotedAuthor] = await Promise.all([
    loadBundle(ctx.data.db, found.status.id),
    getAccount(ctx.data.db, quoted.accountId),
  ]);
  if (!quotedAuthor.inboxUrl) return;
  const activity = quoteRequestActivity(
    found.quote.requestUri,
    bundle.account.uri,
    quoted.uri,
    quotedAuthor.uri,
    statusToNote(ctx, bundle),
  );
  await ctx.sendActivity(
    { identifier: bundle.account.username },
    recipientOf(quotedAuthor),
    activity,
    { orderingKey: `${bundle.account.uri} ${quoted.uri}` },
  );
}

async function requestAndFacts(ctx: Ctx, requestId: string) {
  const found = await getInteractionRequest(ctx.data.db, requestId);
  if (!found || found.requester.domain === null || !found.author.username) return undefined;
  return { found, facts: requestFacts(ctx.data.config.publicUrl, found) };
}

/** Our Accept (with the authorization) or Reject of a remote interaction request. */
export async function sendInteractionAnswer(ctx: Ctx, requestId: string): Promise<void> {
  const got = await requestAndFacts(ctx, requestId);
  if (!got) return;
  const { found, facts } = got;
  const activity = answerActivity(facts, found.request.state === "accepted", found.request.id);
  await ctx.sendActivity(
    { identifier: found.author.username },
    recipientOf(found.requester),
    activity,
    { orderingKey: `${found.author.uri} ${found.request.objectUri}` },
  );
}

/**
 * A revoked quote: Delete of our QuoteAuthorization to the quoting author's server and to our
 * author's followers (their servers may show the quote too).
 */
export async function sendAuthorizationDelete(ctx: Ctx, requestId: string): Promise<void> {
  const got = await requestAndFacts(ctx, requestId);
  if (!got) return;
  const { found, facts } = got;
  const activity = deleteAuthorizationActivity(facts);
  const sender = { identifier: found.author.username };
  const options = { orderingKey: `${found.author.uri} ${found.request.objectUri}` };
  await ctx.sendActivity(sender, recipientOf(found.requester), activity, options);
  await ctx.sendActivity(sender, "followers", activity, {
    ...options,
    preferSharedInbox: true,
    excludeBaseUris: [new URL(ctx.data.config.publicUrl), new URL(found.requester.uri)],
    fanout: "skip", // already in a worker's job, as in `deliver`
  });
}
