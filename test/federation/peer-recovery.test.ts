import { sql } from "drizzle-orm";
import { afterAll, beforeAll, expect, it } from "vitest";
import { queryRows } from "../../src/db/client.ts";
import { FakePeer } from "../helpers/fake-peer.ts";
import { eventually, startTestTern, type TestTern } from "../helpers/tern.ts";

/**
 * A peer that is down for a moment: its failed deliveries open the circuit, and the deliveries
 * the circuit holds go out within seconds of the peer answering again (the recovery delay is one
 * second here, a minute by default; Fedify's own default was 30 minutes). None is dropped.
 */
let t: TestTern;
let peer: FakePeer;
const alice = "https://tern.test/users/alice";

const jobsFor = async (host: string) => {
  const [row] = await queryRows<{ held: number; queued: number }>(
    t.database.db,
    sql`select count(*) filter (where payload->>'circuitHeld' = 'true')::int as held,
               count(*)::int as queued
        from jobs where queue = 'fedify-outbox' and host = ${host}`,
  );
  return row;
};

beforeAll(async () => {
  t = await startTestTern({
    OUTBOUND_TIMEOUT_SECONDS: "1",
    DELIVERY_CIRCUIT_RECOVERY_SECONDS: "1",
  });
  await t.user("alice");
  peer = await new FakePeer().start();
});
afterAll(async () => {
  await t?.close();
  await peer?.stop();
});

it("delivers what the open circuit held soon after the peer is back", async () => {
  const host = new URL(peer.origin).host;
  peer.hold = () => true; // down: connections are accepted and never answered
  for (let i = 0; i < 6; i++) {
    const name = `f${i}`;
    const follow = await peer.sign(
      `${alice}/inbox`,
      {
        id: `${peer.actorIdOf(name)}#follow`,
        type: "Follow",
        actor: peer.actorIdOf(name),
        object: alice,
      },
      name,
    );
    expect((await t.app.fetch(follow)).status).toBe(202);
  }
  // Five Accepts time out; the circuit opens and holds the rest.
  await eventually(async () => (await jobsFor(host)).held > 0, 20_000);

  peer.release();
  const back = Date.now();
  const answered = () =>
    peer.deliveries.filter((d) => d.activity.type === "Accept" && d.answered).length;
  await eventually(async () => answered() > 0, 10_000);
  const ms = Date.now() - back;
  console.log(`first held Accept delivered ${ms} ms after the peer came back`);
  expect(ms).toBeLessThan(5_000);
  // The ones that failed before the circuit opened wait for their retry; nothing is lost.
  await eventually(async () => (await jobsFor(host)).held === 0, 10_000);
  const { queued } = await jobsFor(host);
  expect(answered() + queued).toBe(6);
}, 60_000);
