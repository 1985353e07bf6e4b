import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../src/db/client.ts";
import { migrate } from "../../src/db/migrate.ts";
import { accounts, followerDaily, statuses, statusReach } from "../../src/db/schema/index.ts";
import { newId } from "../../src/lib/ids.ts";
import { type Account, createLocalAccount } from "../../src/services/accounts/accounts.ts";
import {
  aggregateReach,
  createdStatusOf,
  DeliveryReachRecorder,
  logStatusDeliveries,
} from "../../src/services/analytics/deliveries.ts";
import { receiveFollow, receiveUndoFollow } from "../../src/services/follows/follows.ts";
import { openTestDatabase } from "../helpers/db.ts";

/**
 * Reach analytics on one database: follower growth by day and server, the delivery log of a
 * post's Create, its outcomes batched, and the aggregation into status_reach.
 */
let database: Database;
let alice: Account;
let rex: Account;
const PUBLIC = "https://tern.test";

beforeAll(async () => {
  database = await openTestDatabase();
  await migrate(database);
  alice = await createLocalAccount(database.db, PUBLIC, {
    username: "alice",
    password: "correct horse battery staple",
  });
  [rex] = await database.db
    .insert(accounts)
    .values({
      id: newId(),
      username: "rex",
      domain: "far.example",
      uri: "https://far.example/users/rex",
      inboxUrl: "https://far.example/users/rex/inbox",
      sharedInboxUrl: "https://far.example/inbox",
    })
    .returning();
}, 60_000);
afterAll(async () => {
  await database?.close();
});

describe("reach analytics", () => {
  it("counts a remote follow and unfollow for the day, by the follower's server", async () => {
    const { db } = database;
    await receiveFollow(db, rex, alice, "https://far.example/follows/1");
    await receiveUndoFollow(db, rex.id, { followUri: "https://far.example/follows/1" });
    await receiveFollow(db, rex, alice, "https://far.example/follows/2");
    const rows = await db.select().from(followerDaily).where(eq(followerDaily.accountId, alice.id));
    expect(rows.map((r) => [r.domain, r.gained, r.lost])).toEqual([["far.example", 2, 1]]);
  });

  it("logs a Create per follower host, records its outcome and folds it into status_reach", async () => {
    const { db } = database;
    const id = newId();
    const uri = `${PUBLIC}/users/alice/statuses/${id}`;
    await db.insert(statuses).values({
      id,
      uri,
      accountId: alice.id,
      content: "<p>hello</p>",
      visibility: "public",
      local: true,
    });
    await logStatusDeliveries(db, id, alice.id);
    await logStatusDeliveries(db, id, alice.id); // a retried fan-out changes nothing
    const create = "https://www.w3.org/ns/activitystreams#Create";
    expect(createdStatusOf({ activityType: create, activityId: `${uri}/activity` })).toBe(id);
    expect(
      createdStatusOf({
        activityType: "https://www.w3.org/ns/activitystreams#Announce",
        activityId: `${uri}/activity`,
      }),
    ).toBeNull();

    const since = await aggregateReach(db, null);
    const [pending] = await db.select().from(statusReach).where(eq(statusReach.statusId, id));
    expect(pending).toMatchObject({ serversReached: 0, deliveriesPending: 1 });

    const recorder = new DeliveryReachRecorder(db);
    recorder.record(id, "far.example", "delivered");
    await recorder.flush();
    await aggregateReach(db, since);
    const [reach] = await db.select().from(statusReach).where(eq(statusReach.statusId, id));
    expect(reach).toMatchObject({
      serversReached: 1,
      followersReached: 1,
      deliveriesFailed: 0,
      deliveriesPending: 0,
    });
  });
});
