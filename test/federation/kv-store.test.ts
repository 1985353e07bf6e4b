/**
 * PgKvStore holds Fedify's caches. Fedify's negative key cache stores a JSON null for a key it
 * could not use; the jsonb NOT NULL column once refused it, so every POST signed with such a key
 * was a 500 and a new key fetch. null must round-trip, and stay distinct from "absent".
 */
import { Temporal } from "@js-temporal/polyfill";
import { afterAll, beforeAll, expect, it } from "vitest";
import { PgKvStore } from "../../src/federation/kv-store.ts";
import { openTestDatabase } from "../helpers/db.ts";

let database: Awaited<ReturnType<typeof openTestDatabase>>;
let kv: PgKvStore;

beforeAll(async () => {
  database = await openTestDatabase();
  kv = new PgKvStore(database.db);
});
afterAll(async () => database?.close());

it("stores a JSON null and gives it back as null, not undefined", async () => {
  expect(await kv.get(["k", "null"])).toBeUndefined();
  await kv.set(["k", "null"], null);
  expect(await kv.get(["k", "null"])).toBeNull();
  await kv.set(["k", "null"], { a: 1 });
  expect(await kv.get(["k", "null"])).toEqual({ a: 1 });
  await kv.set(["k", "null"], null);
  expect(await kv.get(["k", "null"])).toBeNull();
  const listed = [];
  for await (const entry of kv.list(["k"])) listed.push(entry);
  expect(listed).toEqual([{ key: ["k", "null"], value: null }]);
});

it("compares and swaps against null and to null", async () => {
  // Absent is not null: a cas expecting null fails on a missing key.
  expect(await kv.cas(["c"], null, 1)).toBe(false);
  expect(await kv.cas(["c"], undefined, null)).toBe(true);
  expect(await kv.get(["c"])).toBeNull();
  expect(await kv.cas(["c"], undefined, 2)).toBe(false);
  expect(await kv.cas(["c"], null, 2)).toBe(true);
  expect(await kv.get(["c"])).toBe(2);
  expect(await kv.cas(["c"], 2, null)).toBe(true);
  expect(await kv.get(["c"])).toBeNull();
});

it("drops NUL and replaces lone surrogates, which jsonb cannot hold, from what it caches", async () => {
  // A remote actor document as Fedify would cache it, from a peer that let a NUL through.
  const doc = { name: "a\u0000b", summary: "x\ud800y", raw: "\\u0000 stays", ok: "é 🦜" };
  await kv.set(["_fedify", "remoteDocument", "https://peer.example/users/x"], doc);
  expect(await kv.get(["_fedify", "remoteDocument", "https://peer.example/users/x"])).toEqual({
    name: "ab",
    summary: "x\ufffdy",
    raw: "\\u0000 stays",
    ok: "é 🦜",
  });
});

it("keeps a value until its ttl runs out, and reports when that is", async () => {
  const ttl = Temporal.Duration.from({ milliseconds: 300 });
  const before = Date.now();
  await kv.set(["k", "ttl"], { n: 1 }, { ttl });
  const entry = await kv.getEntry(["k", "ttl"]);
  expect(entry?.value).toEqual({ n: 1 });
  expect(entry?.expiresAt).toBeInstanceOf(Date);
  expect(Math.abs(entry!.expiresAt!.getTime() - (before + 300))).toBeLessThan(1_000);
  // Without a ttl, a value stays.
  await kv.set(["k", "forever"], [1, "two"]);
  expect(await kv.getEntry(["k", "forever"])).toEqual({ value: [1, "two"], expiresAt: null });
  await new Promise((r) => setTimeout(r, 400));
  expect(await kv.get(["k", "ttl"])).toBeUndefined();
});
