import { and, desc, eq, isNull, ne, sql } from "drizzle-orm";
import type { Db, Tx } from "../../db/client.ts";
import { accountStats, accounts, suggestionDismissals } from "../../db/schema/index.ts";
import { notFound } from "../../lib/errors.ts";
import type { Account } from "../accounts/accounts.ts";
import { notSilenced, visibleAuthor } from "../safety/hidden.ts";

const RECENT_DAYS = 30;

/**
 * Who to follow: local, discoverable accounts that posted in the last 30 days, that the viewer
 * neither follows (nor asked to) nor dismissed nor hid, most followed first.
 */
export async function suggestedAccounts(
  db: Tx,
  viewerId: string,
  limit: number,
): Promise<Account[]> {
  const rows = await db
    .select({ account: accounts })
    .from(accounts)
    .innerJoin(accountStats, eq(accountStats.accountId, accounts.id))
    .where(
      and(
        isNull(accounts.domain),
        eq(accounts.discoverable, true),
        ne(accounts.id, viewerId),
        sql`${accountStats.lastStatusAt} > now() - make_interval(days => ${RECENT_DAYS})`,
        sql`not exists (select 1 from follows f where f.follower_id = ${viewerId} and f.following_id = ${accounts.id})`,
        sql`not exists (select 1 from suggestion_dismissals d where d.account_id = ${viewerId} and d.target_account_id = ${accounts.id})`,
        visibleAuthor(viewerId, accounts.id),
        notSilenced(accounts.id),
      ),
    )
    .orderBy(desc(accountStats.followersCount), desc(accountStats.lastStatusAt))
    .limit(limit);
  return rows.map((r) => r.account);
}

/** Removes an account from the viewer's suggestions for good (idempotent, as Mastodon). */
export async function dismissSuggestion(db: Db, viewerId: string, targetId: string): Promise<void> {
  const [target] = await db
    .select({ id: accounts.id })
    .from(accounts)
    .where(eq(accounts.id, targetId));
  if (!target) throw notFound();
  await db
    .insert(suggestionDismissals)
    .values({ accountId: viewerId, targetAccountId: targetId })
    .onConflictDoNothing();
}
