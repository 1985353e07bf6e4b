import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queryRows } from "../../src/db/client.ts";
import { queueCleanupRuns, runCleanupPolicy } from "../../src/services/statuses/cleanup.ts";
import { startTestTern, type TestTern } from "../helpers/tern.ts";

/**
 * Automatic post deletion (issue 13): the policy API, and runs that delete old posts in batches
 * through the normal delete (so Delete activities are queued), keeping what the policy keeps.
 * The worker is stopped after set-up so the queued jobs can be read; runs are called with a
 * clock moved ahead instead of waiting a week.
 */
type User = Awaited<ReturnType<TestTern["user"]>>;

let t: TestTern;
let alice: User;
let bob: User;
const ids: Record<string, string> = {};
const WEEK_AHEAD = Date.now() + 8 * 86_400_000;

async function call(who: User | string, path: string, method = "GET", json?: unknown) {
  const token = typeof who === "string" ? who : who.token;
  const res = await t.request(path, { method, token, json });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

beforeAll(async () => {
  t = await startTestTern();
  [alice, bob] = await Promise.all([t.user("alice"), t.user("bob")]);
  const post = async (key: string, json: Record<string, unknown>) => {
    const res = await call(alice, "/api/v1/statuses", "POST", json);
    expect(res.status).toBe(200);
    ids[key] = res.body.id as string;
  };
  for (const k of ["old1", "old2", "old3", "pinned", "faved", "bookmarked", "popular"])
    await post(k, { status: k });
  await post("direct", { status: "@bob direct", visibility: "direct" });
  await call(alice, `/api/v1/statuses/${ids.pinned}/pin`, "POST");
  await call(alice, `/api/v1/statuses/${ids.faved}/favourite`, "POST");
  await call(alice, `/api/v1/statuses/${ids.bookmarked}/bookmark`, "POST");
  await call(bob, `/api/v1/statuses/${ids.popular}/favourite`, "POST");
  await t.worker?.stop();
});
afterAll(() => t.close());

const exists = async (id: string) => (await call(alice, `/api/v1/statuses/${id}`)).status === 200;
const queued = (type: string) =>
  queryRows<{ payload: { statusId?: string; accountId?: string } }>(
    t.database.db,
    sql`select payload from jobs where payload->>'type' = ${type} order by id`,
  );

describe("/api/v1/tern/cleanup_policy", () => {
  it("reads the defaults, saves changes and refuses bad ones", async () => {
    const got = await call(alice, "/api/v1/tern/cleanup_policy");
    expect(got.body).toMatchObject({ enabled: false, keep_pinned: true, min_favs: null });
    const bad = await call(alice, "/api/v1/tern/cleanup_policy", "PUT", {
      min_status_age_days: 1,
    });
    expect(bad.status).toBe(422);
    expect(bad.body.error).toMatch(/min_status_age_days must be 7/);
    const unknown = await call(alice, "/api/v1/tern/cleanup_policy", "PUT", { keep_all: true });
    expect(unknown.status).toBe(422);
    expect(unknown.body.error).toMatch(/keep_all/);
    const readOnly = await t.user("reader", { scopes: "read" });
    expect((await call(readOnly, "/api/v1/tern/cleanup_policy", "PUT", {})).status).toBe(403);
    const saved = await call(alice, "/api/v1/tern/cleanup_policy", "PUT", {
      enabled: true,
      min_status_age_days: 7,
      min_favs: 1,
    });
    expect(saved.status).toBe(200);
    expect(saved.body).toMatchObject({ enabled: true, min_status_age_days: 7, min_favs: 1 });
    // Unsaid fields keep their values.
    const again = await call(alice, "/api/v1/tern/cleanup_policy", "PUT", { keep_media: true });
    expect(again.body).toMatchObject({ enabled: true, min_favs: 1, keep_media: true });
  });
});

describe("clean-up runs", () => {
  it("are queued once per enabled policy", async () => {
    expect(await queueCleanupRuns(t.database.db)).toBe(1);
    expect(await queueCleanupRuns(t.database.db)).toBe(0);
    expect((await queued("status.cleanup")).map((j) => j.payload.accountId)).toEqual([
      alice.account.id,
    ]);
  });

  it("delete nothing younger than the policy's age", async () => {
    expect(await runCleanupPolicy(t.database.db, alice.account.id)).toBe(0);
  });

  it("delete old posts in batches, keep the kept ones, and queue their Deletes", async () => {
    const db = t.database.db;
    expect(await runCleanupPolicy(db, alice.account.id, { now: WEEK_AHEAD, batch: 2 })).toBe(2);
    expect(await exists(ids.old1!)).toBe(false);
    expect(await exists(ids.old2!)).toBe(false);
    expect(await exists(ids.old3!)).toBe(true);
    expect(await runCleanupPolicy(db, alice.account.id, { now: WEEK_AHEAD, batch: 2 })).toBe(1);
    expect(await runCleanupPolicy(db, alice.account.id, { now: WEEK_AHEAD, batch: 2 })).toBe(0);
    for (const k of ["pinned", "faved", "bookmarked", "popular", "direct"])
      expect(await exists(ids[k]!), k).toBe(true);
    const deletes = (await queued("status.deleted")).map((j) => j.payload.statusId);
    expect(deletes).toEqual([ids.old1, ids.old2, ids.old3]);
    // Unpinned, a post is found by the next walk; a disabled policy deletes nothing.
    await call(alice, `/api/v1/statuses/${ids.pinned}/unpin`, "POST");
    await call(alice, "/api/v1/tern/cleanup_policy", "PUT", { enabled: false });
    expect(await runCleanupPolicy(db, alice.account.id, { now: WEEK_AHEAD })).toBe(0);
    await call(alice, "/api/v1/tern/cleanup_policy", "PUT", { enabled: true });
    expect(await runCleanupPolicy(db, alice.account.id, { now: WEEK_AHEAD })).toBe(1);
    expect(await exists(ids.pinned!)).toBe(false);
  });
});
