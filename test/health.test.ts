import { expect, it } from "vitest";
import { jobs } from "../src/db/schema/index.ts";
import { startTestTern } from "./helpers/tern.ts";

it("GET /health answers 200 while the database answers, 503 once it does not", async () => {
  const t = await startTestTern();
  const ok = await t.request("/health");
  expect(ok.status).toBe(200);
  expect(await ok.json()).toEqual({ status: "ok" });

  await t.worker?.stop();
  await t.database.close();
  const down = await t.request("/health");
  expect(down.status).toBe(503);
  expect((await down.json()).error).toMatch(/database/i);
});

it("GET /health/queue turns 503 once a queue's oldest takeable job waits past the limit", async () => {
  const t = await startTestTern({ QUEUE_LAG_LIMIT_SECONDS: "60", DELIVERY_HOST_CONCURRENCY: "2" });
  try {
    const fresh = await t.request("/health/queue");
    expect(fresh.status).toBe(200);
    expect(await fresh.json()).toEqual({ status: "ok", limit_seconds: 60, queues: {} });

    // The workers are gone (as when every slot hangs): nothing takes the jobs any more.
    await t.worker?.stop();
    const ago = (minutes: number) => new Date(Date.now() - minutes * 60_000);
    const inFuture = new Date(Date.now() + 60_000);
    const delivery = { type: "outbox", inbox: "https://slow.example/inbox" };
    // A host running its two deliveries: its third, waiting ten minutes, is its own problem.
    await t.database.db.insert(jobs).values([
      { queue: "fedify-outbox", payload: delivery, host: "slow.example", lockedUntil: inFuture },
      { queue: "fedify-outbox", payload: delivery, host: "slow.example", lockedUntil: inFuture },
      { queue: "fedify-outbox", payload: delivery, host: "slow.example", runAt: ago(10) },
      { queue: "fedify-inbox", payload: { type: "inbox" }, runAt: ago(0.5) },
    ]);
    const fine = await t.request("/health/queue");
    expect(fine.status).toBe(200);
    const body = await fine.json();
    expect(body.queues["fedify-inbox"].due).toBe(1);
    expect(body.queues["fedify-inbox"].lag_seconds).toBeGreaterThanOrEqual(29);
    expect(body.queues["fedify-outbox"]).toBeUndefined();

    await t.database.db
      .insert(jobs)
      .values({ queue: "fedify-inbox", payload: { type: "inbox" }, runAt: ago(5) });
    const stuck = await t.request("/health/queue");
    expect(stuck.status).toBe(503);
    const report = await stuck.json();
    expect(report).toMatchObject({ status: "lagging", limit_seconds: 60 });
    expect(report.error).toContain("fedify-inbox");
    expect(report.queues["fedify-inbox"]).toMatchObject({ due: 2 });
    expect(report.queues["fedify-inbox"].lag_seconds).toBeGreaterThanOrEqual(299);
    // Liveness is another question: the database answers.
    expect((await t.request("/health")).status).toBe(200);
  } finally {
    await t.close();
  }
});
