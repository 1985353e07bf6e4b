import type { FederationBuilder } from "@fedify/fedify";
import { Hashtag } from "@fedify/vocab";
import { paths } from "../../lib/urls.ts";
import { findLocalAccount } from "../../services/accounts/accounts.ts";
import { listFeaturedTagNames } from "../../services/tags/featured.ts";
import { mayFetchAs } from "../authorized-fetch.ts";
import { type FedContext, INSTANCE_ACTOR } from "../context.ts";

/**
 * An actor's featured hashtags (`featuredTags`), as Mastodon serves them: one unpaged collection
 * of Hashtag links to the tag pages here (at most ten, so one fetch shows them all).
 */
export function registerFeaturedTags(builder: FederationBuilder<FedContext>): void {
  const namesOf = async (ctx: { data: FedContext }, identifier: string) => {
    if (identifier === INSTANCE_ACTOR) return [];
    const account = await findLocalAccount(ctx.data.db, identifier);
    if (!account || account.username !== identifier) return null;
    return listFeaturedTagNames(ctx.data.db, account.id);
  };
  builder
    .setFeaturedTagsDispatcher(paths.featuredTags, async (ctx, identifier) => {
      const names = await namesOf(ctx, identifier);
      if (!names) return null;
      const base = ctx.data.config.publicUrl;
      return {
        items: names.map(
          (name) =>
            new Hashtag({
              href: new URL(`${base}/tags/${encodeURIComponent(name)}`),
              name: `#${name}`,
            }),
        ),
      };
    })
    .setCounter(async (ctx, identifier) => (await namesOf(ctx, identifier))?.length ?? null)
    .authorize(mayFetchAs);
}
