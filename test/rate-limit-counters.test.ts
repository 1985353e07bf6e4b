import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queryRows, type Tx } from "../src/db/client.ts";
import { rateLimits } from "../src/db/schema/index.ts";
import {
  clear,
  coalescedHits,
  hit,
  isOver,
  peek,
  remaining,
  sweepRateLimits,
} from "../src/services/rate-limits.ts";
import { countingInserts, openTestDatabase } from "./helpers/db.ts";

/** The counting rule on its own, on the test database (PGlite, or PostgreSQL when set). */
describe("rate-limit counters", () => {
  let database: Awaited<ReturnType<typeof openTestDatabase>>;
  beforeAll(async () => {
    database = await openTestDatabase();
  });
  afterAll(() => database.close());

  it("counts up within a window and refuses past the limit", async () => {
    const limit = { max: 3, windowMs: 60_000 };
    const seen = [];
    for (let i = 0; i < 4; i++) seen.push((await hit(database.db, [{ key: "t:a", limit }]))[0]);
    expect(seen.map((c) => c.hits)).toEqual([1, 2, 3, 4]);
    expect(seen.map(remaining)).toEqual([2, 1, 0, 0]);
    expect(seen.map(isOver)).toEqual([false, false, false, true]);
    // One window: the reset time stays where the first request put it.
    expect(new Set(seen.map((c) => c.resetAt.getTime())).size).toBe(1);
    expect(seen[3].retryAfter).toBeGreaterThan(55);
    expect(seen[3].retryAfter).toBeLessThanOrEqual(60);
  });

  it("counts several keys in one statement, each with its own window", async () => {
    const [a, b] = await hit(database.db, [
      { key: "t:b", limit: { max: 5, windowMs: 1000 } },
      { key: "t:c", limit: { max: 5, windowMs: 3_600_000 } },
    ]);
    expect([a.key, b.key]).toEqual(["t:b", "t:c"]);
    expect(b.resetAt.getTime() - a.resetAt.getTime()).toBeGreaterThan(3_500_000);
  });

  it("starts a new window once the old one is over, and sweeps windows that are over", async () => {
    const limit = { max: 1, windowMs: 200 };
    await hit(database.db, [{ key: "t:d", limit }]);
    expect(isOver((await hit(database.db, [{ key: "t:d", limit }]))[0])).toBe(true);
    await new Promise((r) => setTimeout(r, 300));
    expect(await peek(database.db, "t:d", limit)).toBeUndefined();
    expect((await hit(database.db, [{ key: "t:d", limit }]))[0].hits).toBe(1);
    await new Promise((r) => setTimeout(r, 300));
    expect(await sweepRateLimits(database.db)).toBeGreaterThanOrEqual(1);
    const keys = (await database.db.select().from(rateLimits)).map((r) => r.key);
    expect(keys).not.toContain("t:d");
    expect(keys).toContain("t:c");
  });

  it("peeks without counting and clears a key", async () => {
    const limit = { max: 3, windowMs: 60_000 };
    await hit(database.db, [{ key: "t:e", limit }]);
    expect((await peek(database.db, "t:e", limit))?.hits).toBe(1);
    expect((await peek(database.db, "t:e", limit))?.hits).toBe(1);
    await clear(database.db, "t:e");
    expect(await peek(database.db, "t:e", limit)).toBeUndefined();
  });

  it("commits a count without waiting for the WAL flush, and only that count", async () => {
    const setting = async (db: Tx) =>
      (
        await queryRows<{ s: string }>(db, sql`select current_setting('synchronous_commit') as s`)
      )[0].s;
    const limit = { max: 3, windowMs: 60_000 };
    await database.db.transaction(async (tx) => {
      expect(await setting(tx)).toBe("on");
      await hit(tx, [{ key: "t:f", limit }]);
      // The counter's own transaction commits asynchronously...
      expect(await setting(tx)).toBe("off");
    });
    // ... and the next one is back to the server's setting.
    await hit(database.db, [{ key: "t:f", limit }]);
    await database.db.transaction(async (tx) => expect(await setting(tx)).toBe("on"));
    expect((await peek(database.db, "t:f", limit))?.hits).toBe(2);
  });
  it("counts requests of one turn in one statement, each in its own place", async () => {
    const { db: counted, inserts } = countingInserts(database.db);
    const count = coalescedHits(counted);
    const limit = { max: 7, windowMs: 60_000 };
    const first = await Promise.all(Array.from({ length: 10 }, () => count("t:coalesced", limit)));
    expect(inserts()).toBe(1);
    expect(first.map((c) => c.hits)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(first.filter(isOver)).toHaveLength(3);
    // Two keys in the next turn: still one statement, and the running window goes on.
    const [a, b] = await Promise.all([count("t:coalesced", limit), count("t:other", limit)]);
    expect(inserts()).toBe(2);
    expect([a.hits, b.hits]).toEqual([11, 1]);
  });
});
