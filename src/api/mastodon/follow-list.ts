import type { Context } from "hono";
import type { AppDeps } from "../../deps.ts";
import { listFollowAccounts } from "../../services/follows/follows.ts";
import { serializeAccounts } from "./entities/account.ts";
import { readPage, setLinkHeader } from "./paging.ts";

/** One page of followers, followings or follow requests, as Mastodon answers them (Link paging). */
export async function followListPage(
  c: Context,
  deps: AppDeps,
  accountId: string,
  list: "followers" | "following" | "requests",
): Promise<Response> {
  const rows = await listFollowAccounts(deps.db, accountId, list, readPage(c, 80, 40));
  setLinkHeader(
    c,
    rows.map((r) => r.followId),
    deps.config.publicUrl,
  );
  const accounts = rows.map((r) => r.account);
  return c.json(await serializeAccounts(deps.db, accounts, deps.config.publicUrl));
}
