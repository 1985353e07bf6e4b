import type { FederationBuilder, NodeInfo } from "@fedify/fedify";
import { sql } from "drizzle-orm";
import { type Db, queryRows } from "../../db/client.ts";
import type { FedContext } from "../context.ts";

export const TERN_VERSION = "0.1.0";

/** NodeInfo with real usage counts (users active by their last local post). */
export async function nodeInfo(db: Db): Promise<NodeInfo> {
  const [u] = await queryRows<{
    total: number;
    month: number;
    halfyear: number;
    posts: number;
    comments: number;
  }>(
    db,
    sql`select
      (select count(*)::int from accounts where domain is null) as total,
      (select count(distinct account_id)::int from statuses where local and created_at > now() - interval '30 days') as month,
      (select count(distinct account_id)::int from statuses where local and created_at > now() - interval '180 days') as halfyear,
      (select count(*)::int from statuses where local and in_reply_to_uri is null) as posts,
      (select count(*)::int from statuses where local and in_reply_to_uri is not null) as comments`,
  );
  return {
    software: { name: "tern", version: TERN_VERSION },
    protocols: ["activitypub"],
    services: { inbound: [], outbound: [] },
    openRegistrations: false,
    usage: {
      users: { total: u.total, activeMonth: u.month, activeHalfyear: u.halfyear },
      localPosts: u.posts,
      localComments: u.comments,
    },
    metadata: {},
  };
}

export function registerNodeInfo(builder: FederationBuilder<FedContext>): void {
  builder.setNodeInfoDispatcher("/nodeinfo/2.1", (ctx) => nodeInfo(ctx.data.db));
}
