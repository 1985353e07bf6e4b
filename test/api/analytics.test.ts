import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../src/db/client.ts";
import { migrate } from "../../src/db/migrate.ts";
import {
  accountMembers,
  accounts,
  followerDaily,
  statuses,
  statusReach,
  webSessions,
} from "../../src/db/schema/index.ts";
import { newId } from "../../src/lib/ids.ts";
import { type Account, createLocalAccount } from "../../src/services/accounts/accounts.ts";
import {
  aggregateReach,
  createdStatusOf,
  DeliveryReachRecorder,
  logStatusDeliveries,
} from "../../src/services/analytics/deliveries.ts";
import { receiveLike } from "../../src/services/favourites/favourites.ts";
import { receiveFollow, receiveUndoFollow } from "../../src/services/follows/follows.ts";
import { createWebSession } from "../../src/services/sessions/web-sessions.ts";
import { openTestDatabase } from "../helpers/db.ts";
import { startTestTern, type TestTern } from "../helpers/tern.ts";

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

describe("reach analytics API", () => {
  let t: TestTern;
  beforeAll(async () => {
    t = await startTestTern();
  }, 60_000);
  afterAll(async () => {
    await t?.close();
  });

  it("shows the owner and its analyst growth, reach and interactions; others get 404", async () => {
    const { db } = t.database;
    const owner = await t.user("owner");
    const stranger = await t.user("stranger");
    const analyst = await t.user("analyst");
    await db.insert(accountMembers).values({
      accountId: owner.account.id,
      memberAccountId: analyst.account.id,
      role: "analyst",
    });
    const [remote] = await db
      .insert(accounts)
      .values({
        id: newId(),
        username: "remy",
        domain: "far.example",
        uri: "https://far.example/users/remy",
        inboxUrl: "https://far.example/users/remy/inbox",
        sharedInboxUrl: "https://far.example/inbox",
      })
      .returning();
    await receiveFollow(db, remote, owner.account, "https://far.example/follows/9");
    const posted = await t.request("/api/v1/statuses", {
      method: "POST",
      token: owner.token,
      json: { status: "hello reach" },
    });
    const { id } = (await posted.json()) as { id: string };
    const [status] = await db.select().from(statuses).where(eq(statuses.id, id));
    await receiveLike(db, remote, status, "https://far.example/likes/1");
    await logStatusDeliveries(db, id, owner.account.id);
    const recorder = new DeliveryReachRecorder(db);
    recorder.record(id, "far.example", "delivered");
    await recorder.flush();
    await aggregateReach(db, null);

    const base = "/api/v1/tern/analytics";
    const summary = await t.request(`${base}/accounts/${owner.account.id}`, {
      token: analyst.token,
    });
    expect(summary.status).toBe(200);
    expect(await summary.json()).toMatchObject({
      account_id: owner.account.id,
      followers_count: 1,
      followers_gained: 1,
      followers_lost: 0,
      by_server: [{ domain: "far.example", gained: 1, lost: 0 }],
      reach: { statuses: 1, servers_reached: 1, followers_reached: 1, deliveries_failed: 0 },
      interactions: { favourites: 1, reblogs: 0, replies: 0, quotes: 0 },
    });
    const one = await t.request(`${base}/statuses/${id}`, { token: owner.token });
    expect(await one.json()).toMatchObject({
      status_id: id,
      servers_reached: 1,
      followers_reached: 1,
      favourites_count: 1,
      by_server: [{ domain: "far.example", favourites: 1, reblogs: 0, replies: 0 }],
    });
    const csv = await t.request(`${base}/accounts/${owner.account.id}/growth.csv`, {
      token: owner.token,
    });
    const today = new Date().toISOString().slice(0, 10);
    expect(await csv.text()).toBe(`day,gained,lost\n${today},1,0\n`);

    const top = await t.request(`${base}/accounts/${owner.account.id}/top_statuses?limit=5`, {
      token: owner.token,
    });
    expect(await top.json()).toMatchObject([
      { status_id: id, excerpt: "hello reach", favourites_count: 1, followers_reached: 1 },
    ]);
    const topCsv = await t.request(`${base}/accounts/${owner.account.id}/top_statuses.csv`, {
      token: owner.token,
    });
    expect((await topCsv.text()).split("\n")[1]).toMatch(
      new RegExp(`^${id},.*,"hello reach",0,1,0,0,1$`),
    );

    for (const path of [`accounts/${owner.account.id}`, `statuses/${id}`]) {
      const denied = await t.request(`${base}/${path}`, { token: stranger.token });
      expect(denied.status).toBe(404);
    }
    // The studio page: an analyst acting for the owner sees the chart and the post; a stranger's
    // session gets 404 for the owner's post.
    const cookie = async (accountId: string, actingId?: string) => {
      const { token } = await createWebSession(db, accountId, {});
      if (actingId) {
        await db
          .update(webSessions)
          .set({ actingAccountId: actingId })
          .where(eq(webSessions.accountId, accountId));
      }
      return { cookie: `__Host-tern_session=${token}` };
    };
    const page = await t.request("/studio/analytics", {
      headers: await cookie(analyst.account.id, owner.account.id),
    });
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain("<svg");
    expect(html).toContain("@owner");
    expect(html).toContain(`/studio/analytics/statuses/${id}`);
    // The post's reach page shows the public replies themselves, never a followers-only one.
    for (const [status, visibility] of [
      ["what a <b>post</b>", "public"],
      ["a secret aside", "private"],
    ])
      await t.request("/api/v1/statuses", {
        method: "POST",
        token: stranger.token,
        json: { status, visibility, in_reply_to_id: id },
      });
    const reach = await t.request(`/studio/analytics/statuses/${id}`, {
      headers: await cookie(analyst.account.id, owner.account.id),
    });
    const reachHtml = await reach.text();
    expect(reachHtml).toContain("2 replies");
    expect(reachHtml).toContain("@stranger");
    expect(reachHtml).toContain("what a &lt;b&gt;post&lt;/b&gt;");
    expect(reachHtml).not.toContain("secret aside");
    const strangerHeaders = await cookie(stranger.account.id);
    const other = await t.request(`/studio/analytics/statuses/${id}`, { headers: strangerHeaders });
    expect(other.status).toBe(404);
    expect((await t.request("/studio/analytics")).status).toBe(302);

    const bad = await t.request(`${base}/accounts/${owner.account.id}?since=1`, {
      token: owner.token,
    });
    expect(bad.status).toBe(422);
    expect(JSON.stringify(await bad.json())).toContain("since");
  });
});
