import { sql } from "drizzle-orm";
import { afterAll, beforeAll, expect, it } from "vitest";
import { queryRows } from "../../src/db/client.ts";
import { assemble } from "../../src/server.ts";
import { FakePeer } from "../helpers/fake-peer.ts";
import { eventually, startTestTern, type TestTern } from "../helpers/tern.ts";

/**
 * An upgrade finds Fedify messages that the previous version queued under the single "fedify"
 * queue: they are still run by the new worker, and what they produce is delivered.
 */
let t: TestTern;
let peer: FakePeer;
beforeAll(async () => {
  t = await startTestTern();
  peer = await new FakePeer().start();
  await t.user("alice");
});
afterAll(async () => {
  await t.close();
  await peer.stop();
});

it("runs an inbox message left in the old shared queue and delivers the Accept it leads to", async () => {
  // As the old version ran: no worker of the new kind yet; the inbox message lands in a queue.
  await t.worker?.stop();
  const alice = "https://tern.test/users/alice";
  const follow = await peer.sign(`${alice}/inbox`, {
    id: `${peer.actorId}#follows/legacy`,
    type: "Follow",
    actor: peer.actorId,
    object: alice,
  });
  expect((await t.app.fetch(follow)).status).toBe(202);
  const moved = await queryRows<{ id: string }>(
    t.database.db,
    sql`update jobs set queue = 'fedify' where queue = 'fedify-inbox' returning id::text`,
  );
  expect(moved).toHaveLength(1);

  // The upgraded process starts on the same database.
  const upgraded = await assemble(t.config, { database: t.database, queueOptions: { pollMs: 50 } });
  try {
    const accept = await eventually(
      async () => peer.deliveries.find((d) => d.activity.type === "Accept"),
      15_000,
    );
    expect((accept.activity.object as { id?: string }).id ?? accept.activity.object).toBe(
      `${peer.actorId}#follows/legacy`,
    );
    const [left] = await queryRows<{ n: number }>(
      t.database.db,
      sql`select count(*)::int as n from jobs where queue = 'fedify'`,
    );
    expect(left.n).toBe(0);
  } finally {
    await upgraded.close();
  }
});
