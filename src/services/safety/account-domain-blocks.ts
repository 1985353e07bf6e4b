import { and, eq, sql } from "drizzle-orm";
import type { Db, Tx } from "../../db/client.ts";
import { accountDomainBlocks, accounts, follows } from "../../db/schema/index.ts";
import { AppError } from "../../lib/errors.ts";
import { newId } from "../../lib/ids.ts";
import type { Account } from "../accounts/accounts.ts";
import { keyset, type Page } from "../paging.ts";
import { cleanFeeds, severFollows } from "./blocks.ts";
import { normalizeDomain } from "./server-domains.ts";

/**
 * A user blocks a whole domain: its accounts vanish from the user's reads (hidden.ts), and the
 * follows between the user and that domain's accounts go both ways, as Mastodon removes them.
 */
export async function blockDomainForAccount(db: Db, me: Account, input: string): Promise<void> {
  const domain = normalizeDomain(input);
  const local = new URL(me.uri).host.toLowerCase();
  if (domain === local) throw new AppError(422, "You cannot block your own domain");
  const pairs = await db.transaction(async (tx) => {
    const [row] = await tx
      .insert(accountDomainBlocks)
      .values({ id: newId(), accountId: me.id, domain })
      .onConflictDoNothing()
      .returning();
    if (!row) return [];
    // The accounts of the domain that `me` follows or is followed by.
    const others = await tx
      .select()
      .from(accounts)
      .where(
        and(
          eq(accounts.domain, domain),
          sql`exists (select 1 from ${follows} f where (f.follower_id = ${me.id} and f.following_id = ${accounts.id})
            or (f.following_id = ${me.id} and f.follower_id = ${accounts.id}))`,
        ),
      );
    const severed = [];
    for (const other of others) severed.push(...(await severFollows(tx, me, other)));
    return severed;
  });
  await cleanFeeds(db, pairs);
}

export async function unblockDomainForAccount(db: Db, me: Account, input: string): Promise<void> {
  await db
    .delete(accountDomainBlocks)
    .where(
      and(
        eq(accountDomainBlocks.accountId, me.id),
        eq(accountDomainBlocks.domain, normalizeDomain(input)),
      ),
    );
}

/** One page of the user's blocked domains, newest first, paged by the block's id. */
export async function listAccountDomainBlocks(
  db: Tx,
  meId: string,
  page: Page,
): Promise<{ id: string; domain: string }[]> {
  const b = keyset(accountDomainBlocks.id, page);
  const rows = await db
    .select({ id: accountDomainBlocks.id, domain: accountDomainBlocks.domain })
    .from(accountDomainBlocks)
    .where(and(eq(accountDomainBlocks.accountId, meId), ...b.where))
    .orderBy(b.order)
    .limit(page.limit);
  return b.newestFirst(rows);
}
