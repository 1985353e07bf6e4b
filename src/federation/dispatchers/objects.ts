import type { FederationBuilder } from "@fedify/fedify";
import { Note } from "@fedify/vocab";
import { isId } from "../../lib/ids.ts";
import { paths } from "../../lib/urls.ts";
import { findAccountByUri } from "../../services/accounts/accounts.ts";
import { loadBundle } from "../../services/statuses/load.ts";
import { canView } from "../../services/statuses/visibility.ts";
import type { FedContext } from "../context.ts";
import { statusToNote } from "../to-ap/note.ts";

/** Notes of local statuses. Followers-only and direct ones only for a signed, allowed fetcher. */
export function registerObjects(builder: FederationBuilder<FedContext>): void {
  builder.setObjectDispatcher(Note, paths.note, async (ctx, { identifier, id }) => {
    if (!isId(id)) return null;
    const bundle = await loadBundle(ctx.data.db, id).catch(() => null);
    if (!bundle || bundle.account.username !== identifier || !bundle.status.local) return null;
    if (bundle.status.visibility === "private" || bundle.status.visibility === "direct") {
      const signer = await ctx.getSignedKeyOwner();
      const viewer = signer?.id ? await findAccountByUri(ctx.data.db, signer.id.href) : undefined;
      if (!viewer || !(await canView(ctx.data.db, bundle.status, viewer.id))) return null;
    }
    return statusToNote(ctx, bundle);
  });
}
