import type { FederationBuilder, RequestContext } from "@fedify/fedify";
import { Announce, Note } from "@fedify/vocab";
import { isId } from "../../lib/ids.ts";
import { paths } from "../../lib/urls.ts";
import { findAccountByUri } from "../../services/accounts/accounts.ts";
import { loadBundle } from "../../services/statuses/load.ts";
import type { StatusBundle } from "../../services/statuses/types.ts";
import { canView } from "../../services/statuses/visibility.ts";
import { mayFetchAs } from "../authorized-fetch.ts";
import type { FedContext } from "../context.ts";
import { announceActivity, announceFacts } from "../to-ap/announce.ts";
import { statusToNote } from "../to-ap/note.ts";

/** Notes of local statuses. Followers-only and direct ones only for a signed, allowed fetcher. */
export function registerObjects(builder: FederationBuilder<FedContext>): void {
  builder
    .setObjectDispatcher(Note, paths.note, async (ctx, { identifier, id }) => {
      if (!isId(id)) return null;
      const bundle = await loadBundle(ctx.data.db, id).catch(() => null);
      if (!bundle || bundle.account.username !== identifier || !bundle.status.local) return null;
      if (bundle.status.reblogOfId) return null; // a boost is an Announce (below), not a Note
      if (!(await mayFetch(ctx, bundle))) return null;
      return statusToNote(ctx, bundle);
    })
    .authorize((ctx, values) => mayFetchAs(ctx, values.identifier));

  // A local boost's Announce, at its id (Mastodon serves `<status url>/activity` the same way).
  builder
    .setObjectDispatcher(Announce, paths.announce, async (ctx, { identifier, id }) => {
      if (!isId(id)) return null;
      const bundle = await loadBundle(ctx.data.db, id).catch(() => null);
      if (!bundle?.reblog || bundle.account.username !== identifier || !bundle.status.local)
        return null;
      if (!(await mayFetch(ctx, bundle))) return null;
      return announceActivity(announceFacts(ctx, bundle.account, bundle.reblog, bundle.status));
    })
    .authorize((ctx, values) => mayFetchAs(ctx, values.identifier));
}

/** Public and unlisted things anyone may fetch; others only a signed fetcher who may see them. */
async function mayFetch(ctx: RequestContext<FedContext>, bundle: StatusBundle): Promise<boolean> {
  if (bundle.account.suspendedAt) return false; // a suspended account's posts are gone
  if (bundle.status.visibility === "public" || bundle.status.visibility === "unlisted") return true;
  const signer = await ctx.getSignedKeyOwner();
  const viewer = signer?.id ? await findAccountByUri(ctx.data.db, signer.id.href) : undefined;
  return Boolean(viewer && (await canView(ctx.data.db, bundle.status, viewer.id)));
}
