import { getEventListeners } from "node:events";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, expect, it } from "vitest";
import { queryRows } from "../../src/db/client.ts";
import { fedifyDeliveryHost, PgQueue } from "../../src/jobs/queue.ts";
import { countingInserts, openTestDatabase } from "../helpers/db.ts";
import { eventually } from "../helpers/tern.ts";

/**
 * The per-host cap of the delivery queue: one remote host never holds more than its share of the
 * worker slots, over every worker, while deliveries to other hosts keep flowing.
 */
let database: Awaited<ReturnType<typeof openTestDatabase>>;
beforeAll(async () => {
  database = await openTestDatabase();
});
afterAll(async () => {
  await database.close();
});

const delivery = (inbox: string, n: number) => ({ type: "outbox", inbox, n });

it("takes the remote host of a Fedify delivery, and nothing else, for jobs.host", () => {
  expect(fedifyDeliveryHost(delivery("https://Peer.Example:8443/users/a/inbox", 1))).toBe(
    "peer.example:8443",
  );
  expect(fedifyDeliveryHost({ type: "inbox", inbox: "https://peer.example/inbox" })).toBeNull();
  expect(fedifyDeliveryHost({ type: "outbox", inbox: "not a url" })).toBeNull();
  expect(fedifyDeliveryHost(null)).toBeNull();
});

it("runs at most N jobs of one host at once across workers, and the other hosts' jobs meanwhile", async () => {
  const options = { pollMs: 20, concurrency: 8, hostConcurrency: 2, hostOf: fedifyDeliveryHost };
  const producer = new PgQueue(database.db, "caps", options);
  // Ten deliveries to a host that hangs, queued first; then three to a healthy one.
  await producer.enqueueMany(
    Array.from({ length: 10 }, (_, n) => delivery("https://slow.example/users/x/inbox", n)),
  );
  await producer.enqueueMany(
    Array.from({ length: 3 }, (_, n) => delivery("https://fine.example/inbox", n)),
  );
  const [hosts] = await queryRows<{ n: number }>(
    database.db,
    sql`select count(*)::int as n from jobs where queue = 'caps' and host = 'slow.example'`,
  );
  expect(hosts.n).toBe(10);

  const running = new Map<string, number>();
  let peakSlow = 0;
  const done: string[] = [];
  const release: (() => void)[] = [];
  const handler = async (message: unknown) => {
    const host = fedifyDeliveryHost(message)!;
    running.set(host, (running.get(host) ?? 0) + 1);
    if (host === "slow.example") {
      peakSlow = Math.max(peakSlow, running.get(host)!);
      await new Promise<void>((resolve) => release.push(resolve));
    }
    running.set(host, running.get(host)! - 1);
    done.push(host);
  };
  const controller = new AbortController();
  const workerA = new PgQueue(database.db, "caps", options);
  const workerB = new PgQueue(database.db, "caps", options);
  const listening = [workerA.listen(handler, { signal: controller.signal })];
  // The healthy host's deliveries all run although the slow host was queued first.
  await eventually(async () => done.filter((h) => h === "fine.example").length === 3, 5_000);
  // A second worker process finds the slow host's slots already taken.
  listening.push(workerB.listen(handler, { signal: controller.signal }));
  await new Promise((r) => setTimeout(r, 300));
  expect(running.get("slow.example")).toBe(2);
  expect(peakSlow).toBe(2);

  // As the slow deliveries end, the rest go, never more than two at a time.
  while (done.filter((h) => h === "slow.example").length < 10) {
    release.shift()?.();
    await new Promise((r) => setTimeout(r, 30));
  }
  expect(peakSlow).toBe(2);
  controller.abort();
  await Promise.all(listening);
});

it("queues a message carrying a NUL or a lone surrogate, cleaned, instead of failing the insert", async () => {
  const queue = new PgQueue(database.db, "unstorable", { pollMs: 20 });
  await queue.enqueue({ type: "inbox", text: "a\u0000b \ud800 c\\u0000d" });
  const seen: unknown[] = [];
  const controller = new AbortController();
  const listening = queue.listen(
    (m) => {
      seen.push(m);
    },
    { signal: controller.signal },
  );
  await eventually(async () => seen.length === 1, 5_000);
  controller.abort();
  await listening;
  // The NUL is dropped, the lone surrogate replaced, and an escaped backslash kept as text.
  expect(seen[0]).toEqual({ type: "inbox", text: "ab \ufffd c\\u0000d" });
});

it("coalesces 200 concurrent enqueues into three INSERTs (16, 64, 120 rows); all run once, in order per ordering key", async () => {
  const { db: counted, inserts } = countingInserts(database.db);
  const queue = new PgQueue(counted, "batched", { pollMs: 20, concurrency: 8 });
  // As Fedify fans out with an ordering key: one enqueue call per inbox, all in one tick.
  await Promise.all(
    Array.from({ length: 200 }, (_, n) =>
      queue.enqueue({ n, key: `k${n % 5}` }, { orderingKey: `k${n % 5}` }),
    ),
  );
  // A small first INSERT, so the first deliveries need not wait for all 200 rows to be written.
  expect(inserts()).toBe(3);
  const seen: { n: number; key: string }[] = [];
  const controller = new AbortController();
  const listening = queue.listen(
    (m) => {
      seen.push(m as { n: number; key: string });
    },
    { signal: controller.signal },
  );
  await eventually(async () => seen.length === 200, 10_000);
  controller.abort();
  await listening;
  expect(new Set(seen.map((m) => m.n)).size).toBe(200);
  for (const key of ["k0", "k1", "k2", "k3", "k4"]) {
    const order = seen.filter((m) => m.key === key).map((m) => m.n);
    expect(order).toEqual([...order].sort((a, b) => a - b));
  }
  const [left] = await queryRows<{ n: number }>(
    database.db,
    sql`select count(*)::int as n from jobs where queue = 'batched'`,
  );
  expect(left.n).toBe(0);
});

it("fails only the bad member of a coalesced batch; the others are stored", async () => {
  const queue = new PgQueue(database.db, "batched-bad", {
    hostOf: (m) => {
      if ((m as { bad?: boolean }).bad) throw new Error("no host");
      return null;
    },
  });
  const results = await Promise.allSettled([
    queue.enqueue({ n: 1 }),
    queue.enqueue({ n: 2, bad: true }),
    queue.enqueue({ n: 3 }),
  ]);
  expect(results.map((r) => r.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
  const [stored] = await queryRows<{ n: number }>(
    database.db,
    sql`select count(*)::int as n from jobs where queue = 'batched-bad'`,
  );
  expect(stored.n).toBe(2);
});

it("keeps one abort listener on its signal however often it wakes, and stops when it aborts", async () => {
  const queue = new PgQueue(database.db, "wakes", { pollMs: 5 });
  const controller = new AbortController();
  let ran = 0;
  const listening = queue.listen(() => void ran++, { signal: controller.signal });
  for (let i = 0; i < 20; i++) await queue.enqueue({ type: "test", i });
  await eventually(async () => ran === 20);
  await new Promise((r) => setTimeout(r, 100)); // a few dozen idle polls more
  // Each wait used to add one that stayed until the signal fired.
  expect(getEventListeners(controller.signal, "abort").length).toBe(1);
  controller.abort();
  await listening;
  expect(getEventListeners(controller.signal, "abort").length).toBe(0);
});

it("gives each job of a host-less queue to one of two competing workers, oldest first", async () => {
  const enqueuer = new PgQueue(database.db, "shared-hostless", { pollMs: 20 });
  for (let n = 0; n < 60; n++) await enqueuer.enqueue({ n });
  const seen: { n: number; by: string }[] = [];
  const controller = new AbortController();
  const workers = ["a", "b"].map((by) =>
    new PgQueue(database.db, "shared-hostless", { pollMs: 20, concurrency: 4 }).listen(
      async (m) => {
        seen.push({ n: (m as { n: number }).n, by });
        await new Promise((r) => setTimeout(r, 2));
      },
      { signal: controller.signal },
    ),
  );
  await eventually(async () => seen.length >= 60, 10_000);
  controller.abort();
  await Promise.all(workers);
  expect(seen.map((s) => s.n).sort((x, y) => x - y)).toEqual([...Array(60).keys()]);
  // Claimed oldest first: the first eight taken are among the first twelve enqueued.
  expect(Math.max(...seen.slice(0, 8).map((s) => s.n))).toBeLessThan(12);
});

it("deletes a finished job's row in its worker's next claim, which takes the job its ordering key held back", async () => {
  // No poll to fall back on: each job of a key must start because the one before it finished.
  for (const [queue, hostOf] of [
    ["ordered-hostless", undefined],
    ["ordered-hosts", fedifyDeliveryHost],
  ] as const) {
    const options = { pollMs: 60_000, concurrency: 4, hostConcurrency: 2, hostOf };
    const enqueuer = new PgQueue(database.db, queue, options);
    for (let n = 0; n < 6; n++)
      await enqueuer.enqueue(delivery("https://one.example/inbox", n), { orderingKey: "k" });
    const order: number[] = [];
    const controller = new AbortController();
    const listening = new PgQueue(database.db, queue, options).listen(
      async (m) => void order.push((m as { n: number }).n),
      { signal: controller.signal },
    );
    await eventually(async () => order.length >= 6, 5_000);
    expect(order, queue).toEqual([0, 1, 2, 3, 4, 5]);
    controller.abort();
    await listening;
    const [left] = await queryRows<{ n: number }>(
      database.db,
      sql`select count(*)::int as n from jobs where queue = ${queue}`,
    );
    expect(left.n, queue).toBe(0);
  }
});
