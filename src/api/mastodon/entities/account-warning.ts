import type { AccountWarningAction } from "../../../db/schema/index.ts";
import type { AccountWarning } from "../../../services/admin/warnings.ts";
import type { MastodonAccount } from "./account.ts";

/** Mastodon's AccountWarning entity (https://docs.joinmastodon.org/entities/AccountWarning/). */
export interface MastodonAccountWarning {
  id: string;
  action: AccountWarningAction;
  text: string;
  status_ids: string[];
  target_account: MastodonAccount;
  /** Tern takes no appeals yet. */
  appeal: null;
  created_at: string;
}

/**
 * The warnings of a page, keyed by id. The target is always the notified account itself, which
 * the page renders with its other accounts (`accountOf`); nothing more is queried.
 */
export function serializeWarnings(
  rows: AccountWarning[],
  accountOf: (id: string) => MastodonAccount | undefined,
): Map<string, MastodonAccountWarning> {
  const out = new Map<string, MastodonAccountWarning>();
  for (const w of rows) {
    const target = accountOf(w.targetAccountId);
    if (!target) continue;
    out.set(w.id, {
      id: w.id,
      action: w.action,
      text: w.text,
      status_ids: w.statusIds,
      target_account: target,
      appeal: null,
      created_at: w.createdAt.toISOString(),
    });
  }
  return out;
}
