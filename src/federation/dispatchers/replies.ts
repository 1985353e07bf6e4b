import type { FederationBuilder } from "@fedify/fedify";
import { Note } from "@fedify/vocab";
import { isId } from "../../lib/ids.ts";
import { localStatusUrls, paths } from "../../lib/urls.ts";
import { findLocalAccount } from "../../services/accounts/accounts.ts";
import { findStatusByUri } from "../../services/statuses/remote.ts";
import { publicReplyPage } from "../../services/statuses/replies.ts";
import { mayFetchAs } from "../authorized-fetch.ts";
import type { FedContext } from "../context.ts";

const PAGE = 40;

/**
 * The `replies` collection of a local public or unlisted Note: the ids of its public and unlisted
 * replies, oldest first, 40 a page, so other servers can complete the thread. Any other post (or
 * none) is a 404, as its Note is to an unsigned fetcher.
 */
export function registerReplies(builder: FederationBuilder<FedContext>): void {
  builder
    .setCollectionDispatcher("replies", Note, paths.replies, async (ctx, values, cursor) => {
      if (cursor === null || (cursor !== "" && !isId(cursor))) return null; // paged only
      const parent = await shownParent(ctx, values.identifier, values.id);
      if (!parent) return null;
      const page = await publicReplyPage(ctx.data.db, parent.id, cursor || null, PAGE);
      // Fedify writes URL items as bare ids; the item type only names what they point at.
      const items = page.uris.map((u) => new URL(u)) as unknown as Note[];
      return { items, nextCursor: page.nextCursor };
    })
    .setFirstCursor(async (ctx, values) =>
      (await shownParent(ctx, values.identifier, values.id)) ? "" : null,
    )
    .authorize((ctx, values) => mayFetchAs(ctx, values.identifier));
}

async function shownParent(ctx: { data: FedContext }, identifier: string, id: string) {
  if (!isId(id)) return null;
  const account = await findLocalAccount(ctx.data.db, identifier);
  if (!account || account.username !== identifier) return null;
  const { uri } = localStatusUrls(ctx.data.config.publicUrl, identifier, id);
  const parent = await findStatusByUri(ctx.data.db, uri);
  if (!parent?.local || parent.accountId !== account.id) return null;
  return parent.visibility === "public" || parent.visibility === "unlisted" ? parent : null;
}
