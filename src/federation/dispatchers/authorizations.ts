import type { FederationBuilder } from "@fedify/fedify";
import {
  AnnounceAuthorization,
  LikeAuthorization,
  QuoteAuthorization,
  ReplyAuthorization,
} from "@fedify/vocab";
import type { InteractionType } from "../../db/schema/statuses.ts";
import { isId } from "../../lib/ids.ts";
import { paths } from "../../lib/urls.ts";
import { acceptedRequest } from "../../services/interactions/requests.ts";
import { mayFetchAs } from "../authorized-fetch.ts";
import type { FedContext } from "../context.ts";
import { authorizationObject } from "../to-ap/interactions.ts";
import { requestFacts } from "../to-ap/request-facts.ts";

/**
 * Our approvals (FEP-044f's QuoteAuthorization, GoToSocial's Like/Reply/AnnounceAuthorization),
 * served at their ids so that any server can check an interaction we approved. A revoked or
 * rejected one is not served (404), which is how others learn it no longer holds.
 */
export function registerAuthorizations(builder: FederationBuilder<FedContext>): void {
  const kinds = [
    ["quote", QuoteAuthorization, paths.quoteAuthorization],
    ["like", LikeAuthorization, paths.likeAuthorization],
    ["reply", ReplyAuthorization, paths.replyAuthorization],
    ["announce", AnnounceAuthorization, paths.announceAuthorization],
  ] as const;
  for (const [type, cls, path] of kinds) {
    // One dispatcher per class; typed as one of them, as the four differ only in name.
    builder
      .setObjectDispatcher(
        cls as typeof QuoteAuthorization,
        path,
        async (ctx, { identifier, id }) => {
          if (!isId(id)) return null;
          const found = await acceptedRequest(ctx.data.db, type as InteractionType, id);
          if (!found || found.author.username !== identifier) return null;
          const facts = requestFacts(ctx.data.config.publicUrl, found);
          return authorizationObject(facts) as QuoteAuthorization;
        },
      )
      .authorize((ctx, values) => mayFetchAs(ctx, values.identifier));
  }
}
