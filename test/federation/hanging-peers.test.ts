import { sql } from "drizzle-orm";
import { afterAll, beforeAll, expect, it } from "vitest";
import { queryRows } from "../../src/db/client.ts";
import { FakePeer } from "../helpers/fake-peer.ts";
import { eventually, startTestTern, type TestTern } from "../helpers/tern.ts";

/**
 * A hostile or dying server whose inboxes accept connections and never answer must not freeze
 * federation: ten of alice's followers live on such a server. Another server's activity is still
 * read at once, alice's post still reaches her healthy followers at once, and the hung deliveries
 * time out and wait for a retry instead of being dropped.
 */
const TIMEOUT_SECONDS = 2;
let t: TestTern;
let hung: FakePeer;
let healthy: FakePeer;
let other: FakePeer;
let token: string;
let aliceId: string;
const alice = "https://tern.test/users/alice";

const follow = (peer: FakePeer, name: string) =>
  peer.sign(
    `${alice}/inbox`,
    {
      id: `${peer.actorIdOf(name)}#follow`,
      type: "Follow",
      actor: peer.actorIdOf(name),
      object: alice,
    },
    name,
  );

async function followerCount(): Promise<number> {
  const [row] = await queryRows<{ n: number }>(
    t.database.db,
    sql`select count(*)::int as n from follows where following_id = ${aliceId} and state = 'accepted'`,
  );
  return row.n;
}

beforeAll(async () => {
  t = await startTestTern({ OUTBOUND_TIMEOUT_SECONDS: String(TIMEOUT_SECONDS) });
  ({ token } = await t.user("alice"));
  const [row] = await queryRows<{ id: string }>(
    t.database.db,
    sql`select id::text from accounts where uri = ${alice}`,
  );
  aliceId = row.id;
  [hung, healthy, other] = await Promise.all([
    new FakePeer().start(),
    new FakePeer().start(),
    new FakePeer().start(),
  ]);
  hung.hold = () => true;
  for (let i = 0; i < 10; i++) {
    expect((await t.app.fetch(await follow(hung, `h${i}`))).status).toBe(202);
  }
  for (let i = 0; i < 3; i++) {
    expect((await t.app.fetch(await follow(healthy, `ok${i}`))).status).toBe(202);
  }
  await eventually(async () => (await followerCount()) === 13, 20_000);
  // The Accepts to the hanging server are on the wire now, unanswered.
  await eventually(async () => hung.deliveries.some((d) => d.activity.type === "Accept"), 10_000);
}, 60_000);

afterAll(async () => {
  await t?.close();
  await Promise.all([hung?.stop(), healthy?.stop(), other?.stop()]);
});

it("reads another server's activity within a few seconds while ten inboxes hang", async () => {
  const started = Date.now();
  expect((await t.app.fetch(await follow(other, "eve"))).status).toBe(202);
  await eventually(async () => (await followerCount()) === 14, 10_000);
  const ms = Date.now() - started;
  console.log(`signed Follow processed in ${ms} ms while 10 followers' inboxes hang`);
  expect(ms).toBeLessThan(5_000);
});

it("delivers a new post to the healthy followers within a few seconds", async () => {
  const started = Date.now();
  const res = await t.request("/api/v1/statuses", {
    method: "POST",
    token,
    json: { status: "Still going out" },
  });
  expect(res.status).toBe(200);
  const creates = () =>
    healthy.deliveries.filter((d) => d.activity.type === "Create" && d.answered).length;
  await eventually(async () => creates() === 3, 10_000);
  const ms = Date.now() - started;
  console.log(`post reached 3 healthy followers in ${ms} ms while 10 inboxes hang`);
  expect(ms).toBeLessThan(5_000);
});

it("times the hung deliveries out and keeps them for a later retry", async () => {
  // Every hung Accept was tried, cut off by the deadline, and is queued again (retry or held by
  // the open circuit), none of them dropped.
  await eventually(
    async () => {
      const [row] = await queryRows<{ waiting: number; running: number }>(
        t.database.db,
        sql`select count(*) filter (where run_at > now() and locked_until is null)::int as waiting,
                   count(*) filter (where locked_until > now())::int as running
            from jobs
            where queue = 'fedify-outbox' and host = ${new URL(hung.origin).host}
              and payload->>'activityType' = 'https://www.w3.org/ns/activitystreams#Accept'`,
      );
      return row.waiting === 10 && row.running === 0;
    },
    (10 / 2) * TIMEOUT_SECONDS * 1000 + 15_000,
  );
  expect(hung.deliveries.filter((d) => d.activity.type === "Accept").length).toBeGreaterThan(1);
  expect(hung.deliveries.every((d) => !d.answered)).toBe(true);
}, 60_000);
